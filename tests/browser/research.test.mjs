// Browser test: a researcher records an interview (a refused attachment loses nothing
// typed), accepts a suggested code and codes another passage by hand, then sees the coded
// passages of each category across all interviews and finds the interview by search.
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

const FUNDING = '村里一年的活动经费只有三千元，主要靠上级拨款，组织培训都难。';
const MEETINGS = '支部开会多是念文件，讨论很少，党员觉得没意思。';

async function count(page, category) {
  await page.goto(`${base}/research/codes/${category}`);
  return Number(await page.textContent('#passage-count'));
}

test('a researcher codes an interview and sees the coded passages per category', async () => {
  const page = await browser.newPage();
  await page.goto(base + '/login');
  await page.fill('#username', 'admin');
  await page.fill('#password', PASSWORD);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);

  // The demo county's generated interviews are already coded under several categories.
  const fundingBefore = await count(page, 'funding');
  const meetingsBefore = await count(page, 'meeting_quality');
  assert.ok(fundingBefore > 0 && meetingsBefore > 0, `演示数据已有编码段落（经费 ${fundingBefore}，组织生活 ${meetingsBefore}）`);
  const otherUnits = new Set(await page.locator('blockquote.coded footer a').allTextContents());
  assert.ok(otherUnits.size > 1, '编码段落来自多次访谈');

  // A new interview with a program disguised as a PDF: refused, everything typed kept.
  await page.goto(base + '/interviews/new');
  const unit = await page.locator('#units option').nth(3).getAttribute('value');
  await page.fill('input[name=org]', unit);
  await page.fill('input[name=interviewers]', '调研组张三');
  await page.selectOption('select[name=role_0]', 'leader');
  await page.fill('input[name=name_0]', '村党支部书记');
  await page.selectOption('select[name=role_1]', 'member');
  await page.fill('input[name=name_1]', '党员甲');
  const notes = `## 存在问题\n\n${FUNDING}\n\n${MEETINGS}`;
  await page.fill('textarea[name=notes]', notes);
  await page.setInputFiles('input[name=attachments]', { name: '访谈提纲.pdf', mimeType: 'application/pdf', buffer: Buffer.from('MZ\x90\x00\x03\x00') });
  await Promise.all([page.waitForNavigation(), page.click('button.primary')]);
  assert.match(await page.textContent('.error'), /附件“访谈提纲\.pdf”是可执行程序/);
  assert.equal(await page.inputValue('textarea[name=notes]'), notes, '访谈记录原样保留');
  assert.equal(await page.inputValue('input[name=name_1]'), '党员甲');
  assert.equal(await page.inputValue('input[name=org]'), unit);

  // Again with a real PDF: saved.
  await page.setInputFiles('input[name=attachments]', { name: '访谈提纲.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n%%EOF\n') });
  await Promise.all([page.waitForNavigation(), page.click('button.primary')]);
  assert.match(page.url(), /\/interviews\/\d+$/);
  assert.ok(await page.isVisible('a[href^="/attachments/"]'), '附件已保存');

  // The lexicon suggests 经费 for the first passage: accept it.
  const first = page.locator('.passage[data-passage="1"]');
  assert.ok(await first.locator('[data-suggested=funding]').isVisible(), '建议编码：党建经费短缺');
  // Accepted in place: the page is not reloaded (a marker set on it survives).
  await page.evaluate(() => { window.notReloaded = true; });
  await first.locator('button[value=accept]').first().click();
  await page.waitForSelector('.passage[data-passage="1"] [data-category=funding]');
  assert.equal(await page.evaluate(() => window.notReloaded), true, 'no page reload');
  assert.equal(await page.locator('.passage[data-passage="1"] [data-suggested=funding]').count(), 0, 'the suggestion is gone');

  // Code the second passage by hand, as a quote.
  const second = page.locator('.passage[data-passage="2"]');
  await second.locator('summary').click();
  await second.locator('select[name=category]').selectOption('meeting_quality');
  await second.locator('input[name=quote]').check();
  await second.locator('button', { hasText: '添加编码' }).click();
  await page.waitForSelector('.passage[data-passage="2"] [data-category=meeting_quality]');
  assert.match(await page.locator('.passage[data-passage="2"] [data-category=meeting_quality]').textContent(), /可引用/);
  assert.equal(await page.evaluate(() => window.notReloaded), true, 'still no reload');

  // Across all interviews: one more passage in each category, ours among them.
  assert.equal(await count(page, 'funding'), fundingBefore + 1);
  assert.ok((await page.locator('blockquote.coded').allTextContents()).some((t) => t.includes(FUNDING)));
  assert.equal(await count(page, 'meeting_quality'), meetingsBefore + 1);
  const quoted = page.locator('blockquote.coded', { hasText: MEETINGS });
  assert.match(await quoted.textContent(), /★可引用/);

  // The overview counts it, and search finds it whatever the spacing.
  await page.goto(base + '/research');
  assert.match(await page.textContent('main'), /选取了\d+个具有代表性的基层单位/);
  await page.fill('input[name=q]', '经 费');
  await Promise.all([page.waitForNavigation(), page.click('form.search button')]);
  const hits = await page.locator('ol.hits li[data-kind=interview]').allTextContents();
  assert.ok(hits.some((t) => t.includes('三千元')), '检索“经 费”找到刚录入的访谈');
  assert.ok(await page.locator('ol.hits mark').first().isVisible(), '命中的词高亮');
});
