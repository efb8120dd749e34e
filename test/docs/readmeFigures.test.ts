import assert from 'node:assert/strict';
import fs from 'node:fs';
import { RELIABILITY_END, RELIABILITY_PAGES, RELIABILITY_START } from '../../tools/reliabilityReport.js';

function reliabilityBlock(page: string): string {
  const text = fs.readFileSync(page, 'utf8');
  const a = text.indexOf(RELIABILITY_START);
  const b = text.indexOf(RELIABILITY_END);
  assert.ok(a >= 0 && b > a, `${page} has no reliability markers`);
  return text.slice(a, b);
}

describe('figures the README repeats', () => {
  it('shows the same reliability table as docs/reliability.md: both are written by one reliability run', () => {
    const [readme, ...others] = RELIABILITY_PAGES.map((page) => ({ page, block: reliabilityBlock(page) }));
    assert.ok(readme && others.length > 0);
    for (const other of others)
      assert.equal(readme.block, other.block, `${readme.page} and ${other.page} differ: run node build/tools/reliabilityReport.js --write`);
  });

  it('has hostile-input and late-event rows in the README reliability table', () => {
    const rows = reliabilityBlock('README.md').split('\n');
    for (const area of ['crash', 'faults', 'hostile input', 'late events'])
      assert.ok(
        rows.some((r) => r.startsWith(`| ${area} |`)),
        area,
      );
  });

  it('takes its start-up ratios and package sizes from docs/performance.md', () => {
    const readme = fs.readFileSync('README.md', 'utf8');
    const performance = fs.readFileSync('docs/performance.md', 'utf8');
    const ratios = readme.split('\n').flatMap((line) => (/^\| (`--scheme`|a caught-up run)/.test(line) ? [line.split('|')[3]?.trim().replace(/\*/g, '')] : []));
    assert.equal(ratios.length, 2);
    for (const ratio of ratios) assert.ok(ratio && performance.includes(`(${ratio})`), `${ratio} is not in docs/performance.md`);
    // The runtime-less package has no platform in its name; docs/performance.md calls it "runtime-less".
    const sizes = [...readme.matchAll(/^\| `TA-asana-audit-log-<version>(?:-([a-z0-9-]+))?\.tgz` \| [^|]+ \| ([\d.]+ MB) \|/gm)].map(([, platform, size]) => ({
      platform: platform ?? 'runtime-less',
      size,
    }));
    assert.deepEqual(
      sizes.map((s) => s.platform),
      ['linux-x64', 'linux-arm64', 'windows-x64', 'runtime-less'],
      "README.md's package table lists the four packages",
    );
    for (const { platform, size } of sizes) assert.ok(performance.includes(`${platform} ${size}`), `${platform} ${size} is not in docs/performance.md`);
  });

  it('takes every pages-a-minute figure of its speed table from docs/performance.md', () => {
    const readme = fs.readFileSync('README.md', 'utf8');
    const performance = fs.readFileSync('docs/performance.md', 'utf8');
    const speedRows = readme.split('\n').filter((line) => /^\| (to stdout|through HEC)/.test(line));
    assert.equal(speedRows.length, 2);
    for (const row of speedRows) {
      const [, perMinute, share] = row
        .split('|')
        .map((c) => c.trim().replace(/\*/g, ''))
        .slice(1);
      assert.ok(performance.includes(`${perMinute} pages/min = **${share} of the limit**`), `${perMinute} pages/min at ${share} is not in docs/performance.md`);
    }
  });
});
