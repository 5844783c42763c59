// Shared set-up of the browser tests: the demo server (small county, its own SQLite file
// in a temporary folder, a random port) and Debian's chromium driven by playwright-core.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const BIN = process.env.DANGJIAN_BIN || join(import.meta.dirname, '../../target/debug/dangjian');
export const PASSWORD = 'dangjian2026';

/** Starts the demo and a browser; resolves to { base, browser, dir (a scratch folder), stop }. */
export async function start() {
  assert.ok(existsSync(BIN), `找不到 dangjian 可执行文件 ${BIN}：请先运行 cargo build，或用 DANGJIAN_BIN 指定路径`);
  const dir = mkdtempSync(join(tmpdir(), 'dj-browser-'));
  const port = 20000 + Math.floor(Math.random() * 20000);
  const server = spawn(BIN, ['--db', `sqlite://${join(dir, 'demo.db')}`, 'demo', '--scale', 'small', '--bind', `127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'inherit'] });
  const base = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('服务未在120秒内启动：\n' + out)), 120000);
    server.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/http:\/\/127\.0\.0\.1:\d+/);
      if (m) { clearTimeout(timer); resolve(m[0]); }
    });
    server.on('error', (e) => reject(new Error(`无法启动 ${BIN}：${e.message}`)));
    server.on('exit', (code) => reject(new Error(`服务退出（${code}）：\n${out}`)));
  });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const stop = async () => {
    await browser.close();
    server.kill();
    rmSync(dir, { recursive: true, force: true });
  };
  return { base, browser, dir, stop };
}
