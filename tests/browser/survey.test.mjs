// Browser test: a respondent on a phone-sized screen opens a unit's questionnaire link,
// meets a skip (a question that appears only for some answers) and a constraint error,
// fills the built-in questionnaire and submits; the administrator then sees the response
// counted under that unit and its sector.
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

async function unitRow(page, code) {
  const row = page.locator(`#units tr[data-unit="${code}"]`);
  const cells = await row.locator('td').allTextContents();
  return { sector: cells[1].trim(), returned: Number(cells[3]), link: await row.locator('a.unit-link').getAttribute('href') };
}

async function sectorReturned(page, sector) {
  const rows = await page.locator('#by-sector tr').all();
  for (const r of rows) {
    const cells = await r.locator('td').allTextContents();
    if (cells[0] === sector) return Number(cells[2]);
  }
  throw new Error(`按领域表中没有 ${sector}`);
}

test('a respondent fills the built-in questionnaire on a phone and it is counted under the unit', async () => {
  // The administrator finds the campaign and a unit's link.
  const admin = await browser.newPage();
  await admin.goto(base + '/login');
  await admin.fill('#username', 'admin');
  await admin.fill('#password', PASSWORD);
  await Promise.all([admin.waitForNavigation(), admin.click('button[type=submit]')]);
  await admin.goto(base + '/surveys');
  await Promise.all([admin.waitForNavigation(), admin.click('table a[href^="/campaigns/"]')]);
  const campaignUrl = admin.url();
  const code = await admin.locator('#units tr[data-unit]').first().getAttribute('data-unit');
  const before = await unitRow(admin, code);
  const sectorBefore = await sectorReturned(admin, before.sector);

  // The respondent, on a phone.
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  const p = await phone.newPage();
  await p.goto(base + before.link);
  assert.match(await p.textContent('header'), /基层党建工作调研问卷/);
  const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `页面在手机上没有横向滚动（溢出 ${overflow}px）`);

  // A skip: the mobile-members follow-up shows only when the branch has mobile members.
  assert.equal(await p.isVisible('#q-mobile_participation'), false, '未回答前不显示流动党员追问');
  await p.check('input[name=has_mobile][value=yes]');
  assert.equal(await p.isVisible('#q-mobile_participation'), true, '选“是”后显示追问');
  await p.check('input[name=has_mobile][value=no]');
  assert.equal(await p.isVisible('#q-mobile_participation'), false, '改选“否”后追问被跳过');

  // A constraint error, shown as soon as the answer is typed, then corrected.
  await p.fill('input[name=party_years]', '95');
  await p.locator('input[name=party_years]').blur();
  await p.waitForSelector('#q-party_years .err.live:not(.hidden)');
  assert.match(await p.textContent('#q-party_years .err.live'), /党龄应在 0 到 80 年之间/);
  await p.fill('input[name=party_years]', '12');
  await p.locator('input[name=party_years]').blur();
  await p.waitForSelector('#q-party_years .err.live.hidden', { state: 'attached' });

  // Submitting with questions left blank is stopped on the page, naming them.
  await p.click('button.submit');
  await p.waitForSelector('#q-role .err.live:not(.hidden)');
  assert.match(await p.textContent('#q-role .err.live'), /此题必答/);

  for (const [q, v] of [['role', 'member'], ['sex', 'female'], ['age_band', 'a2'], ['education', 'e3'], ['has_fulltime_staff', 'no'],
    ['lessons_frequency', 'quarterly'], ['attention_check', '4']]) {
    await p.check(`input[name=${q}][value="${v}"]`);
  }
  const likert = ['lead_attention', 'lead_accountability', 'integration', 'committee_strength', 'successor', 'venue', 'funding_enough', 'staff_capacity',
    'meetings_quality', 'themed_day', 'education_effect', 'transfer_timely', 'archives_tidy', 'development_quality', 'carriers', 'online_use', 'new_fields', 'methods_new'];
  // The village-committee question is put only to villages and communities (relevant on
  // the unit type the form receives).
  const villageLike = ['行政村', '社区'].includes(before.sector);
  assert.equal(await p.isVisible('#q-successor'), villageLike, `村“两委”题对${before.sector}${villageLike ? '显示' : '不显示'}`);
  for (let i = 0; i < likert.length; i++) {
    if (likert[i] === 'successor' && !villageLike) continue;
    await p.check(`input[name=${likert[i]}][value="${[5, 4, 3, 4][i % 4]}"]`);
  }
  await p.check('input[name=funding_sources][value=budget]');
  await p.check('input[name=meeting_forms][value=discussion]');
  await p.check('input[name=meeting_forms][value=visit]');
  await p.fill('input[name=life_count]', '16');
  await p.check('input[name=top_problems][value=funding]');
  await p.check('input[name=top_problems][value=staff]');
  await p.fill('textarea[name=suggestion]', '希望增加党建经费，多开展现场教学。');
  await Promise.all([p.waitForNavigation(), p.click('button.submit')]);
  assert.match(await p.textContent('main h1'), /提交成功/);
  await phone.close();

  // Counted under the unit and its sector.
  await admin.goto(campaignUrl);
  const after = await unitRow(admin, code);
  assert.equal(after.returned, before.returned + 1, '单位回收数加一');
  assert.equal(await sectorReturned(admin, before.sector), sectorBefore + 1, `领域（${before.sector}）回收数加一`);
});
