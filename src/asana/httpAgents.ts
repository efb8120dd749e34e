/** The Asana client's agents are the shared proxy- and CA-aware ones of net/. */
export {
  createProxyAgents as createAsanaAgents,
  type ProxyAgents as AsanaAgents,
  type ProxyAgentsOptions as AsanaAgentsOptions,
} from '../net/proxyAgents.js';
