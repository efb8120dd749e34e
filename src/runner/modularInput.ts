import { Redactor } from '../logging/redactor.js';
import type { ProcessIo } from './processIo.js';
import { defaultLogFile, ProcessLogger } from '../logging/processLogger.js';
import { parseInputSettings, SettingsError } from '../settings/settings.js';
import { readXmlFrom } from '../splunk/decodeStdin.js';
import { inputNameOf, parseRunInput, parseValidationInput, refuseUnaddressableName } from '../splunk/inputXml.js';
import { XmlEventStream } from '../sinks/xml/xmlEventStream.js';
import { escapeXmlText } from '../splunk/xmlEscape.js';
import { checkAccess } from './checkAccess.js';
import { errorCode, errorText } from '../errors/codedError.js';
import { installStopHandlers } from './stopSignals.js';
import { runInput } from './runInput.js';
import { checkpointPathFor, legacyCheckpointPathFor } from '../collector/checkpointStore.js';
import { loadCaFile } from '../net/caCertificates.js';
import type { InputSettings } from '../settings/settings.js';
import { proxyPasswordOf } from '../net/proxyUrl.js';
import { SplunkCredentialStore } from '../splunk/credentialStore.js';
import { APP_NAME, resolveSecrets } from '../splunk/secretsFlow.js';
import { splunkdTrust } from '../splunk/splunkdTrust.js';

/**
 * The modular input's run mode: splunkd writes the configuration XML to stdin and reads events
 * from stdout. One stanza per process in practice (use_single_instance=false); several are
 * handled one after another.
 */
export async function runModularInput(io: ProcessIo): Promise<number> {
  const redactor = new Redactor();
  const base = new ProcessLogger({ level: 'INFO', redactor, stderr: io.stderr, file: defaultLogFile(io.env) });
  let exitCode = 0;
  try {
    const input = parseRunInput(await readXmlFrom(io.stdin));
    redactor.add(input.sessionKey);
    if (input.stanzas.length === 0) base.info('splunkd sent no enabled asana_audit_log stanza: nothing to do');
    const stop = installStopHandlers(base);
    for (const stanza of input.stanzas) {
      if (stop.requested()) break;
      let name: string;
      try {
        name = inputNameOf(stanza.name);
      } catch (e) {
        base.error(errorText(e), { code: errorCode(e) });
        exitCode = 1;
        continue;
      }
      const params = stanza.params;
      redactor.add(params.token);
      redactor.add(proxyPasswordOf(params.proxy_url));
      const logger = base.forInput(name);
      let settings: InputSettings;
      try {
        settings = parseInputSettings(name, params);
      } catch (e) {
        if (!(e instanceof SettingsError)) throw e;
        for (const p of e.problems)
          logger.error(`invalid setting ${p.arg}: ${p.arg} ${p.message}; fix it in the input's settings (inputs.conf)`, { code: 'invalid_setting' });
        exitCode = 1;
        continue;
      }
      try {
        settings = await resolveSecrets(settings, credentialStoreFor(input, io.env), { persist: true, logger });
      } catch (e) {
        logger.error(`${errorText(e)}; nothing was collected, and no secret was written anywhere else`, { code: errorCode(e) });
        exitCode = 1;
        continue;
      }
      registerSecrets(redactor, settings);
      const stanzaLogger = base.forInput(name, settings.logLevel);
      const sink = new XmlEventStream(io.stdout, { stanza: stanza.name, sourcetype: stanza.params.sourcetype || undefined });
      const outcome = await runInput({
        settings,
        sink,
        checkpointFile: checkpointPathFor(input.checkpointDir, name),
        legacyCheckpointFile: legacyCheckpointPathFor(input.checkpointDir, name),
        logger: stanzaLogger,
        summaryLogger: base,
        shouldStop: stop.requested,
        resetHint: `asana-audit-log checkpoint reset --dir "${input.checkpointDir}" --input "${name}" (run it as the Splunk user)`,
        env: io.env,
      });
      try {
        await sink.close();
      } catch (e) {
        stanzaLogger.error(
          `splunkd stopped reading the events (${(e as Error).message}): the checkpoint was not moved past them; the next run sends them again`,
          { code: 'output_closed' },
        );
        exitCode = 1;
      }
      if (outcome.status === 'failed') exitCode = 1;
    }
  } catch (e) {
    base.error(errorText(e), { code: errorCode(e) });
    exitCode = 1;
  } finally {
    await base.close();
  }
  return exitCode;
}

/**
 * `--validate-arguments`: splunkd asks before it saves an input. Every arg is checked, then one
 * live call proves the token can read this organization. The first problem goes back to Splunk
 * Web as `<error><message>`.
 */
export async function validateArguments(io: ProcessIo): Promise<number> {
  const redactor = new Redactor();
  const logger = new ProcessLogger({ level: 'INFO', redactor, stderr: io.stderr, file: defaultLogFile(io.env) });
  const fail = (message: string): number => {
    io.stdout.write(`<error><message>${escapeXmlText(redactor.redact(message))}</message></error>\n`);
    logger.error(`input validation failed: ${message}`);
    return 1;
  };
  try {
    const input = parseValidationInput(await readXmlFrom(io.stdin));
    redactor.add(input.sessionKey);
    redactor.add(input.item.params.token);
    redactor.add(proxyPasswordOf(input.item.params.proxy_url));
    let settings: InputSettings;
    try {
      refuseUnaddressableName(input.item.name);
      settings = parseInputSettings(input.item.name, input.item.params);
    } catch (e) {
      if (e instanceof SettingsError) return fail(e.problems.map((p) => `${p.arg} ${p.message}`).join('; '));
      return fail(errorText(e));
    }
    if (settings.caBundle !== undefined) {
      try {
        loadCaFile(settings.caBundle);
      } catch (e) {
        return fail((e as Error).message);
      }
    }
    // Masks (after the run moved the secrets into the store, splunkd validates the edited input
    // again) are read back so the live call below uses the real token and proxy password.
    try {
      settings = await resolveSecrets(settings, credentialStoreFor(input, io.env), { persist: false });
    } catch (e) {
      return fail((e as Error).message);
    }
    registerSecrets(redactor, settings);
    const result = await checkAccess(settings, logger.forInput(settings.name, settings.logLevel), io.env);
    if (!result.ok) return fail(result.message);
    return 0;
  } catch (e) {
    return fail((e as Error).message);
  } finally {
    await logger.close();
  }
}

function credentialStoreFor(input: { serverUri: string; sessionKey: string }, env: NodeJS.ProcessEnv): SplunkCredentialStore {
  return new SplunkCredentialStore({ serverUri: input.serverUri, sessionKey: input.sessionKey, app: APP_NAME, trust: splunkdTrust(env) });
}

function registerSecrets(redactor: Redactor, settings: InputSettings): void {
  redactor.add(settings.token);
  redactor.add(proxyPasswordOf(settings.proxyUrl));
}
