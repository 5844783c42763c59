// Browser test: a secretary and an administrator log in through the real pages in
// headless Chromium (Debian's /usr/bin/chromium via playwright-core), walk the tree,
// open a member and a meeting, and see exactly what their role allows.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { start, PASSWORD } from './server.mjs';

let browser, base, dir, stop;

before(async () => {
  ({ base, browser, dir, stop } = await start());
});

after(async () => {
  await stop?.();
});

async function login(page, username) {
  await page.goto(base + '/');
  assert.match(page.url(), /\/login$/);
  await page.fill('#username', username);
  await page.fill('#password', PASSWORD);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
}

test('secretary sees the own branch and nothing outside it', async () => {
  const page = await browser.newPage();
  await login(page, 'shuji');
  assert.match(page.url(), /\/todo$/, 'a secretary lands on the 待办');
  await Promise.all([page.waitForNavigation(), page.click('header a[href="/orgs"]')]);
  assert.match(page.url(), /\/orgs\/\d+$/, 'the tree starts at the own organisation');
  const branchUrl = page.url();
  const branchName = await page.textContent('main h1');
  assert.match(branchName, /支部委员会/);
  assert.ok(await page.isVisible('text=党员名册'));

  // Open a member: the ID is masked.
  await Promise.all([page.waitForNavigation(), page.click('a[href^="/members/"]')]);
  const facts = await page.textContent('dl.facts');
  assert.match(facts, /\d{4}\*{10}[\dX]{4}/, 'citizen ID masked');
  // The session's CSRF token is random hex and may hold 18 digits in a row: not an ID.
  const html = (await page.content()).replace(/name="csrf" value="[0-9a-f]+"/g, '');
  assert.doesNotMatch(html, /\d{17}[\dX]/, 'no raw ID anywhere on the page');

  // Open a meeting of the branch: attendance list.
  await page.goto(branchUrl);
  await Promise.all([page.waitForNavigation(), page.click('a[href^="/meetings/"]')]);
  assert.ok(await page.isVisible('text=出勤名单'));
  assert.match(await page.textContent('dl.facts'), /应到 \d+ 人，实到 \d+ 人/);

  // Record a meeting: one member absent without a reason is refused, nothing typed is lost.
  await page.goto(branchUrl);
  await Promise.all([page.waitForNavigation(), page.click('text=登记会议')]);
  await page.selectOption('#kind', 'themed_party_day');
  await page.fill('#topic', '浏览器测试：环境整治志愿服务');
  await page.selectOption('#form', 'volunteer');
  await page.fill('#summary', '清理村道垃圾，走访困难群众');
  const firstAtt = page.locator('select[name^="att_"]').first();
  await firstAtt.selectOption('absent');
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("保存会议记录")')]);
  assert.match(await page.textContent('.error'), /请填写缺席原因/);
  assert.equal(await page.inputValue('#summary'), '清理村道垃圾，走访困难群众');
  await page.locator('input[name^="reason_"]').first().fill('因病请假');
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("保存会议记录")')]);
  assert.match(page.url(), /\/meetings\/\d+$/);
  assert.match(await page.textContent('main h1'), /浏览器测试：环境整治志愿服务/);
  assert.ok(await page.isVisible('text=因病请假'));

  // The county's root is outside the branch: 404 with a Chinese explanation.
  const res = await page.goto(base + '/orgs/1');
  assert.equal(res.status(), 404);
  assert.match(await page.textContent('main'), /不在您的权限范围内/);

  // Logout ends the session.
  await page.goto(branchUrl);
  await Promise.all([page.waitForNavigation(), page.click('header button')]);
  assert.match(page.url(), /\/login$/);
  await page.goto(branchUrl);
  assert.match(page.url(), /\/login$/);
  await page.close();
});

test('administrator walks the whole tree and finds members', async () => {
  const page = await browser.newPage();
  await login(page, 'admin');
  assert.match(page.url(), /\/overview$/, 'the department lands on the 概览');
  await Promise.all([page.waitForNavigation(), page.click('header a[href="/orgs"]')]);
  assert.match(page.url(), /\/orgs\/1$/);
  assert.match(await page.textContent('main h1'), /县委员会/);
  // Down two levels: a township, then one of its organisations with members.
  await Promise.all([page.waitForNavigation(), page.click('table a[href^="/orgs/"] >> nth=0')]);
  assert.match(await page.textContent('.crumbs'), /县委员会/);
  await Promise.all([page.waitForNavigation(), page.click('table a[href^="/orgs/"] >> nth=0')]);
  assert.ok(await page.isVisible('text=党员名册'));
  const memberLink = page.locator('a[href^="/members/"]').first();
  const name = (await memberLink.textContent()).trim();
  await Promise.all([page.waitForNavigation(), memberLink.click()]);
  assert.equal((await page.textContent('main h1')).trim(), name);

  // Search by name finds the member.
  await page.goto(base + '/search');
  await page.fill('input[name=q]', name);
  await Promise.all([page.waitForNavigation(), page.click('form.search button')]);
  assert.ok(await page.locator(`table a:text-is("${name}")`).count() >= 1);
  await page.close();
});

test('a secretary records what the 待办 list says is due', async () => {
  const page = await browser.newPage();
  await login(page, 'shuji');
  await page.goto(base + '/todo');
  assert.match(await page.textContent('main h1'), /待办：.*支部委员会/);
  const due = page.locator('a.button[href*="/meetings/new?kind="]');
  if (await due.count() === 0) {
    assert.ok(await page.isVisible('text=都已开展'), 'either something is due or the page says all is done');
  } else {
    const href = await due.first().getAttribute('href');
    const kind = href.split('kind=')[1];
    await Promise.all([page.waitForNavigation(), due.first().click()]);
    assert.equal(await page.inputValue('#kind'), kind, 'the form opens on the kind that is due');
  }

  // The pipeline: a new applicant, made an activist today; making them a candidate today
  // breaks the one-year rule: refused with its citation, the date typed kept.
  await page.goto(base + '/orgs');
  await Promise.all([page.waitForNavigation(), page.click('a.button:text-is("发展党员")')]);
  const today = new Date().toISOString().slice(0, 10);
  await page.fill('#name', '浏览器测试申请人');
  await page.fill('#ethnicity', '汉族');
  await page.fill('#birth_date', '1998-06-15');
  await page.fill('#citizen_id', citizenId('330122', '19980615', '071'));
  await page.fill('#applied_on', today);
  await Promise.all([page.waitForNavigation(), page.click('button.primary')]);
  assert.match(page.url(), /\/development\/\d+$/, await page.textContent('main'));
  await page.fill('#talked_on', today);
  await page.fill('#on', today);
  // 培养联系人 is chosen from the branch's full members, not typed.
  await page.selectOption('#contact1', { index: 1 });
  await Promise.all([page.waitForNavigation(), page.click('button.primary')]);
  assert.match(await page.textContent('main h1'), /入党积极分子/);
  await page.fill('#on', today);
  await Promise.all([page.waitForNavigation(), page.click('button.primary')]);
  assert.match(await page.textContent('div.error'), /培养考察期未满1年.*发展党员工作细则/);
  assert.equal(await page.inputValue('#on'), today, 'the date typed is kept');
  await page.close();
});

/** A valid GB 11643 citizen ID: region, birth date, sequence, check character. */
function citizenId(region, birth, seq) {
  const body = region + birth + seq;
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body].reduce((a, c, i) => a + Number(c) * w[i], 0);
  return body + '10X98765432'[sum % 11];
}

test('an administrator drills down from a rule to an organisation and its evidence', async () => {
  const page = await browser.newPage();
  await login(page, 'admin');
  await Promise.all([page.waitForNavigation(), page.click('header a[href="/compliance"]')]);
  assert.match(await page.textContent('main h1'), /合规检查/);
  // Last year is complete: every yearly rule is judged there. The county is judged by a
  // background job the administrator starts; the page shows its progress, then the figures.
  await Promise.all([page.waitForNavigation(), page.click('p.pager a >> nth=0')]);
  if (await page.isVisible('button:text("开始计算")')) {
    await Promise.all([page.waitForNavigation(), page.click('button:text("开始计算")')]);
    await page.waitForSelector('text=计算于', { timeout: 120000 });
  }
  const row = page.locator('tr', { has: page.locator('a:text-is("主题党日每月开展")') });
  const failing = Number((await row.locator('td').nth(2).textContent()).trim());
  assert.ok(failing > 0, 'some organisations miss monthly themed party days');
  await Promise.all([page.waitForNavigation(), row.locator('a').first().click()]);
  assert.ok(await page.isVisible('text=依据：'));
  const evidence = await page.textContent('table tbody tr >> nth=0');
  assert.match(evidence, /\d{4}年\d{1,2}月/, 'the evidence names the months missed');
  await Promise.all([page.waitForNavigation(), page.click('table tbody tr >> nth=0 >> a')]);
  assert.match(page.url(), /\/orgs\/\d+$/);
  assert.ok(await page.isVisible('text=党建工作经费'));
  await page.close();
});

test('a secretary downloads the roster, uploads it for a preview, confirms, and gets an error report for a bad file', async () => {
  const page = await browser.newPage();
  await login(page, 'shuji');
  await page.goto(base + '/orgs');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#exports a[href$="/export/members"]')]);
  const roster = join(dir, 'roster.xlsx');
  await download.saveAs(roster);
  await Promise.all([page.waitForNavigation(), page.click('header a[href="/import"]')]);
  await page.selectOption('#kind', 'members');
  await page.setInputFiles('#file', roster);
  await Promise.all([page.waitForNavigation(), page.click('button[value=preview]')]);
  assert.match(await page.textContent('#import-counts'), /将新增 0 条.*与系统中一致 \d+ 条/s);
  await Promise.all([page.waitForNavigation(), page.click('text=确认导入')]);
  assert.match(await page.textContent('main h1'), /导入完成/);
  // A roster of a branch outside the secretary's scope: every row refused, nothing written.
  await page.goto(base + '/import');
  await page.setInputFiles('#file', join(import.meta.dirname, '../../crates/sheets/tests/bad/impossible_date.xlsx'));
  await Promise.all([page.waitForNavigation(), page.click('button[value=preview]')]);
  assert.match(await page.textContent('#import-errors'), /未导入任何数据/);
  assert.ok(await page.isVisible('td:has-text("2023年2月30日")'));
  const [report] = await Promise.all([page.waitForEvent('download'), page.click('text=下载错误报告')]);
  assert.match(report.suggestedFilename(), /错误报告\.xlsx$/);
  await page.goto(base + '/import');
  await page.setInputFiles('#file', join(import.meta.dirname, '../../crates/sheets/tests/bad/word_renamed.xlsx'));
  await Promise.all([page.waitForNavigation(), page.click('button[value=preview]')]);
  assert.match(await page.textContent('p.error'), /这是一个Word文档/);
  await page.close();
});
