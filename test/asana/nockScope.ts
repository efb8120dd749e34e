import nock from 'nock';

// nock patches node:http for the whole process the moment it is imported, which would put it in
// front of every other test file's real sockets. It is switched off here, at import, and on only
// inside the suites that call useNock().
nock.restore();

/** Turns nock on for the enclosing mocha suite, with no way out to the network. */
export function useNock(): void {
  before(() => {
    if (!nock.isActive()) nock.activate();
    nock.disableNetConnect();
  });
  afterEach(() => nock.cleanAll());
  after(() => {
    nock.cleanAll();
    nock.enableNetConnect();
    nock.restore();
  });
}

export { nock };
