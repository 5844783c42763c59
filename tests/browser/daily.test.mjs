// Browser test: daily work on a phone. Each role's pages are crawled at 360, 390 and 414
// px and none may scroll sideways; a secretary records a 支委会 with its preset and the
// duplicate warning; a member signs in to a planned meeting by QR code in a second
// browser; a 党小组长 sees only the group; an administrator sets up a campaign by
// choosing units.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, PASSWORD } from './server.mjs';

let browser, base, stop;

before(async () => {
  ({ base, browser, stop } = await start());
});

after(async () => {
  await stop?.();
});

async function login(page, username, next = '/') {
  await page.goto(base + next);
  assert.match(page.url(), /\/login/);
  await page.fill('#username', username);
  await page.fill('#password', PASSWORD);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
}

const phone = (width) => browser.newContext({ viewport: { width, height: 800 }, isMobile: true, hasTouch: true });

/** Same-site page links worth visiting (no downloads, no logout, no files). */
function crawlable(href) {
  if (!href || !href.startsWith('/') || href.startsWith('//')) return false;
  return !/format=|\/export\/|\/qr\.|\/template\/|\/attachments\/|\/static\/|\/s\/|xlsform|builtin\.xlsx|\/report\/saved\/|paper=1|\/import\/report/.test(href);
}

for (const user of ['dangyuan', 'zuzhang', 'shuji', 'admin']) {
  test(`${user}'s pages fit phones 360, 390 and 414 px wide`, async () => {
    const limit = user === 'admin' ? 36 : 24;
    for (const width of [360, 390, 414]) {
      const ctx = await phone(width);
      const page = await ctx.newPage();
      await login(page, user);
      const seen = new Set();
      const queue = [new URL(page.url()).pathname + new URL(page.url()).search];
      const wide = [];
      const small = [];
      while (queue.length && seen.size < limit) {
        const path = queue.shift();
        if (seen.has(path)) continue;
        seen.add(path);
        const res = await page.goto(base + path);
        if (!res || !(res.headers()['content-type'] || '').includes('text/html')) continue;
        assert.ok(res.status() < 500, `${path}: ${res.status()}`);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        if (overflow > 1) wide.push(`${path} (+${overflow}px)`);
        // Tap targets: buttons and fields of the page at least 44 px high.
        const low = await page.evaluate(() => [...document.querySelectorAll('main button, main a.button, main select, main input[type=text], main input[type=date], main input[type=search], header .menu-button')]
          .filter((e) => e.offsetParent !== null)
          .filter((e) => e.getBoundingClientRect().height < 43.5)
          .map((e) => `${e.tagName.toLowerCase()}“${(e.textContent || e.name || '').trim().slice(0, 12)}”${Math.round(e.getBoundingClientRect().height)}px`));
        if (low.length) small.push(`${path}: ${low.slice(0, 3).join('，')}`);
        for (const href of await page.$$eval('a[href]', (as) => as.map((a) => a.getAttribute('href')))) {
          if (crawlable(href) && !seen.has(href) && queue.length < 200) queue.push(href);
        }
      }
      console.log(`${user} ${width}px: ${seen.size} pages`);
      assert.ok(seen.size >= (user === 'dangyuan' ? 3 : 8), `${user} at ${width}px: crawled only ${[...seen].join(' ')}`);
      assert.deepEqual(wide, [], `${user} at ${width}px: pages wider than the phone`);
      assert.deepEqual(small, [], `${user} at ${width}px: tap targets under 44px`);
      await ctx.close();
    }
  });
}

test('the header folds into a menu on a phone', async () => {
  const ctx = await phone(390);
  const page = await ctx.newPage();
  await login(page, 'shuji');
  const header = await page.evaluate(() => document.querySelector('header').getBoundingClientRect().height);
  assert.ok(header < 80, `the header is ${header}px high with its links folded`);
  assert.equal(await page.isVisible('header a[href="/compliance"]'), false);
  await page.click('header .menu-button');
  assert.equal(await page.isVisible('header a[href="/compliance"]'), true, 'the menu opens');
  await ctx.close();
});

test('a 支委会 is preset to the committee, and a double entry is caught', async () => {
  const ctx = await phone(390);
  const page = await ctx.newPage();
  await login(page, 'shuji');
  await page.goto(base + '/orgs');
  const branch = new URL(page.url()).pathname;
  await page.goto(base + branch + '/meetings/new?kind=committee_meeting');
  const rows = await page.locator('select[name^="att_"]').count();
  const none = await page.locator('select[name^="att_"] option[value=none]:checked').count();
  assert.ok(none > 0 && none < rows, `the committee is expected, the rest 不参加 (${none} of ${rows})`);
  // The attendance rows are cards on a phone: a name is not wrapped one character a line.
  const nameHeight = await page.evaluate(() => document.querySelector('form.meeting td label').getBoundingClientRect().height);
  assert.ok(nameHeight < 40, `a member's name fits a line (${nameHeight}px)`);
  const topic = `支委会研究发展党员 ${Date.now()}`;
  await page.fill('#topic', topic);
  await page.selectOption('#form', 'discussion');
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("保存会议记录")')]);
  assert.match(page.url(), /\/meetings\/\d+$/, 'the preset saves as it is');
  assert.match(await page.textContent('dl.facts'), new RegExp(`应到 ${rows - none} 人`));
  // The same again: a warning first, then saved only when confirmed.
  await page.goto(base + branch + '/meetings/new?kind=committee_meeting');
  await page.fill('#topic', topic);
  await page.selectOption('#form', 'discussion');
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("保存会议记录")')]);
  assert.match(await page.textContent('div.error'), /可能是重复登记/);
  // 全部出席 marks everyone; outside the committee that is a warning too.
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("全部出席")')]);
  assert.equal(await page.locator('select[name^="att_"] option[value=present]:checked').count(), rows);
  await ctx.close();
});

test('a member signs in to a planned meeting by QR code, and the secretary records it', async () => {
  const sec = await (await browser.newContext()).newPage();
  await login(sec, 'shuji');
  // Announce today's 主题党日 from the 待办.
  await sec.click('#todo-plans summary');
  const topic = `扫码签到测试 ${Date.now()}`;
  await sec.selectOption('#plan_kind', 'themed_party_day');
  await sec.fill('#plan_topic', topic);
  await sec.fill('#plan_place', '党群服务中心');
  await Promise.all([sec.waitForNavigation(), sec.click('#todo-plans button.primary')]);
  assert.match(sec.url(), /\/plans\/\d+$/);
  const qr = await sec.locator('section.poster img').getAttribute('src');
  assert.match(qr, /\/plans\/\d+\/qr\.svg$/);
  const address = (await sec.textContent('p.break-all')).trim();
  const checkin = new URL(address).pathname;
  assert.match(checkin, /^\/checkin\/[0-9a-f]{20}$/);

  // The member, on a phone, scans: the login comes first, then the sign-in page.
  const mctx = await phone(390);
  const member = await mctx.newPage();
  await login(member, 'dangyuan', checkin);
  assert.equal(new URL(member.url()).pathname, checkin, 'back at the sign-in after logging in');
  assert.match(await member.textContent('main'), new RegExp(topic));
  await Promise.all([member.waitForNavigation(), member.click('button:has-text("签到")')]);
  assert.match(await member.textContent('main'), /签到成功/);
  await member.goto(base + '/me');
  assert.match(await member.textContent('main'), new RegExp(topic), '我的 lists the coming activity');

  // The secretary sees the sign-in and records the meeting from it.
  await sec.reload();
  assert.match(await sec.textContent('main'), /已签到\s*1\s*人/);
  await Promise.all([sec.waitForNavigation(), sec.click('a:has-text("据签到登记会议")')]);
  assert.equal(await sec.inputValue('#topic'), topic);
  const present = await sec.locator('select[name^="att_"] option[value=present]:checked').count();
  assert.equal(present, 1, 'the one who signed in is present; the others wait for the secretary');
  await sec.locator('select[name^="att_"]').evaluateAll((els) => els.forEach((e) => { e.value = 'present'; }));
  await sec.selectOption('#form', 'study');
  await Promise.all([sec.waitForNavigation(), sec.click('button:has-text("保存会议记录")')]);
  assert.match(sec.url(), /\/meetings\/\d+$/);
  await mctx.close();
});

test('a 党小组长 sees the group, and everything listed opens', async () => {
  const page = await (await browser.newContext()).newPage();
  await login(page, 'zuzhang');
  assert.match(page.url(), /\/orgs\/\d+$/);
  assert.match(await page.textContent('main h1'), /党小组/);
  const links = await page.$$eval('main a[href^="/members/"]', (as) => as.map((a) => a.getAttribute('href')));
  assert.ok(links.length > 0);
  for (const href of links) {
    const res = await page.goto(base + href);
    assert.equal(res.status(), 200, `${href} listed and opens`);
  }
  for (const path of ['/report', '/compliance', '/surveys', '/import']) {
    const res = await page.goto(base + path);
    assert.equal(res.status(), 403, path);
    assert.match(await page.textContent('main'), /党小组长账号只能/);
  }
  await page.close();
});

test('an administrator chooses campaign units by township, with nothing ticked at first', async () => {
  const page = await (await browser.newContext()).newPage();
  await login(page, 'admin');
  const res = await page.goto(base + '/campaigns/new');
  assert.equal(res.status(), 200, 'no ?org needed');
  assert.equal(await page.locator('#unit-picker input:checked').count(), 0, 'nothing ticked by default');
  await page.click('#unit-picker details summary');
  const all = await page.locator('#unit-list tr[data-name]').count();
  const first = await page.locator('#unit-list tr[data-name]').first().getAttribute('data-name');
  await page.fill('#unit-search', first);
  const shown = await page.locator('#unit-list tr[data-name]:visible').count();
  assert.ok(shown >= 1 && shown < all, `search narrows the list (${shown} of ${all})`);
  // One township, as a batch.
  const part = page.locator('#unit-picker input[name=part]').first();
  const label = await page.locator('#unit-picker label:has(input[name=part])').first().textContent();
  const n = Number(label.match(/（(\d+)）/)[1]);
  await part.check();
  assert.match(await page.textContent('#unit-count'), /乡镇\/街道 1 个/);
  await page.fill('input[name=title]', '浏览器测试：按乡镇选择单位');
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("创建调研")')]);
  assert.match(page.url(), /\/campaigns\/\d+$/);
  assert.equal(await page.locator('#units tr[data-unit]').count(), n, 'exactly the township\'s units');
  await page.close();
});
