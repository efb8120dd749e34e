import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { candidateFiles, planPackage } from '../../tools/package.js';
import { linksOutside, relativeLinks } from './docLinks.js';

/** The Markdown a reader follows: the front door, the docs and the project pages beside them. */
const PAGES = [
  'README.md',
  'CHANGELOG.md',
  'CONTRIBUTING.md',
  'test/fixtures/README.md',
  ...fs.readdirSync('docs', { recursive: true, encoding: 'utf8' }).map((f) => path.join('docs', f)),
].filter((f) => f.endsWith('.md'));

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\- ]/gu, '')
    .replace(/ /g, '-');
}

function anchorsIn(file: string): Set<string> {
  const text = fs.readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
  return new Set([...text.matchAll(/^#{1,6} (.*)$/gm)].map((m) => anchorOf(m[1] as string)));
}

/** The links of these pages that lead nowhere, as "page:line ..." lines. */
function brokenLinks(pages: readonly string[]): string[] {
  const broken: string[] = [];
  for (const page of pages) {
    for (const { line, target, anchor } of relativeLinks(page)) {
      const file = target === '' ? page : path.join(path.dirname(page), target);
      if (!fs.existsSync(file)) {
        broken.push(`${page}:${line} links to ${target}, which does not exist`);
        continue;
      }
      if (anchor !== undefined && file.endsWith('.md') && !anchorsIn(file).has(anchor)) {
        broken.push(`${page}:${line} links to ${target || page}#${anchor}, a heading that does not exist`);
      }
    }
  }
  return broken;
}

/** The files the Splunk package ships, as the packager plans them: repository-relative, with "/". */
function shippedFiles(root: string): Set<string> {
  return new Set(planPackage(candidateFiles(root)).files.map((f) => f.path));
}

describe('the documentation links', () => {
  it('lead to files that exist and to headings that exist, on every page', () => {
    assert.deepEqual(brokenLinks(PAGES), []);
  });

  it('are reported when they lead to a missing page or a missing heading', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doc-links-'));
    const page = path.join(dir, 'page.md');
    fs.writeFileSync(
      page,
      '# Title\n\n## The standalone collector (no Node.js on the host)\n\n[ok](#title) [ok](#the-standalone-collector-no-nodejs-on-the-host) [gone](other.md) [bad](#nowhere)\n',
    );
    assert.deepEqual(brokenLinks([page]), [
      `${page}:5 links to other.md, which does not exist`,
      `${page}:5 links to ${page}#nowhere, a heading that does not exist`,
    ]);
  });

  it('of the pages the package ships lead only to files the package ships', () => {
    const shipped = shippedFiles('.');
    assert.ok(shipped.has('README.md') && shipped.has('docs/install.md'), 'the packager ships the README and docs/');
    assert.deepEqual(linksOutside('.', shipped), []);
  });

  it('are reported when a shipped page leads to a file or folder that exists but does not ship', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'doc-ship-links-'));
    const files: Record<string, string> = {
      'README.md': '# App\n\n[install](docs/install.md) [notes](NOTES.md)\n',
      'docs/install.md':
        '# Install\n\n[spec](../README/inputs.conf.spec) [spec folder](../README/) [back](../README.md#app) [here](#install) [web](https://example.com/x)\n' +
        '[fixture](../test/fixtures/events.tsv) [samples](../deploy/)\n',
      'README/inputs.conf.spec': '[asana_audit_log://<name>]\n',
      'NOTES.md': '# Notes\n',
      'test/fixtures/events.tsv': 'a\tb\n',
      'deploy/Dockerfile': 'FROM node\n',
    };
    for (const [file, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      fs.writeFileSync(path.join(root, file), text);
    }
    assert.deepEqual(linksOutside(root, shippedFiles(root)), [
      'README.md:3 links to NOTES.md, which the package does not ship',
      'docs/install.md:4 links to ../test/fixtures/events.tsv, which the package does not ship',
      'docs/install.md:4 links to ../deploy/, which the package does not ship',
    ]);
    assert.deepEqual(brokenLinks([path.join(root, 'README.md'), path.join(root, 'docs/install.md')]), [], 'every link leads to a file that exists');
  });

  it('keeps the README a front door: at most 200 lines', () => {
    const lines = fs.readFileSync('README.md', 'utf8').split('\n').length;
    assert.ok(lines <= 200, `README.md has ${lines} lines`);
  });
});
