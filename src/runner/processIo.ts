/** The process's streams and environment, passed in so tests can run a mode in-process. */
export interface ProcessIo {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}
