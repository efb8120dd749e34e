/**
 * Cookies a load balancer in front of HEC sets to keep a channel on one indexer (AWS ELB's
 * AWSELB/AWSALB, an F5's BIGipServer..., Splunk Cloud's own): kept per channel and sent back with
 * that channel's requests, so acknowledgments are asked of the indexer that took the batch. Only
 * name=value is kept: every request goes to the one HEC URL, and the attributes (Path, Domain,
 * expiry) would only narrow where a cookie goes back to.
 */
export class ChannelCookies {
  private readonly jars = new Map<string, Map<string, string>>();

  /** The Cookie header for a channel's next request, if the balancer set any. */
  header(channel: string): string | undefined {
    const jar = this.jars.get(channel);
    if (!jar || jar.size === 0) return undefined;
    return [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  /** Takes the Set-Cookie headers of an answer to one of the channel's requests. */
  take(channel: string, setCookie: readonly string[] | string | undefined): void {
    if (setCookie === undefined) return;
    for (const line of Array.isArray(setCookie) ? setCookie : [setCookie]) {
      const pair = /^\s*([^=;\s]+)=([^;]*)/.exec(line);
      if (!pair) continue;
      const jar = this.jars.get(channel) ?? new Map<string, string>();
      this.jars.set(channel, jar);
      jar.set(pair[1] as string, (pair[2] as string).trim());
    }
  }
}
