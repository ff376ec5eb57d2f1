// The console end to end in a real browser (Debian's chromium, headless, driven by
// playwright-core) against a real liaisond with a seeded multilingual roster. Run by the CTest
// case console_e2e (tests/integration/console), which starts Redis and liaisond and passes:
//   LIAISON_URL            http://127.0.0.1:<port>
//   LIAISON_KEY            a coordinator key
//   LIAISON_OUTBOX         the outbox file of that liaisond (offers to interpreters land there)
//   LIAISON_PUBLIC_URL     [http] public_url, which Twilio signatures cover
//   LIAISON_TWILIO_TOKEN   the Twilio auth token, to sign the interpreter's YES as Twilio does
//   LIAISON_INTERPRETER_PHONE, LIAISON_ARABIC_GUARDIAN_PHONE, LIAISON_FAMILIES (audience size)
//   SCREENSHOT_DIR         where the screenshots go (a CI artifact)
//   CHROMIUM_PATH          default /usr/bin/chromium
// Exits 0 when every step passed; prints each step, and the first failure with a screenshot.
import { chromium } from "playwright-core";
import { createHmac } from "node:crypto";
import { mkdirSync, readFileSync, existsSync } from "node:fs";
import { join } from "node:path";

const env = (name, fallback) => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
};
const url = env("LIAISON_URL");
const key = env("LIAISON_KEY");
const outbox = env("LIAISON_OUTBOX");
const publicUrl = env("LIAISON_PUBLIC_URL");
const twilioToken = env("LIAISON_TWILIO_TOKEN");
const interpreterPhone = env("LIAISON_INTERPRETER_PHONE");
const arabicGuardianPhone = env("LIAISON_ARABIC_GUARDIAN_PHONE");
const expectedFamilies = Number(env("LIAISON_FAMILIES"));
const screenshots = env("SCREENSHOT_DIR");
const chromiumPath = env("CHROMIUM_PATH", "/usr/bin/chromium");
mkdirSync(screenshots, { recursive: true });

const timeout = 30_000;
let page;

function check(condition, message) {
  if (!condition) throw new Error(`check failed: ${message}`);
}

async function shot(name) {
  await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });
}

let stepNumber = 0;
async function step(name, body) {
  stepNumber += 1;
  const label = `${String(stepNumber).padStart(2, "0")}-${name}`;
  const started = Date.now();
  await body();
  console.log(`ok   ${label} (${Date.now() - started} ms)`);
  await shot(label);
}

// A form posted as Twilio posts it: X-Twilio-Signature = Base64(HMAC-SHA1(token, public URL +
// path (with its query) + each parameter's key and value in key order)).
async function postAsTwilio(path, params) {
  let signed = publicUrl + path;
  for (const name of Object.keys(params).sort()) signed += name + params[name];
  const signature = createHmac("sha1", twilioToken).update(signed, "utf8").digest("base64");
  const form = Object.entries(params)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join("&");
  const response = await fetch(url + path, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature },
    body: form,
  });
  return { status: response.status, body: await response.text() };
}

// An inbound SMS.
async function textAsTwilio(from, body) {
  const params = { MessageSid: "SM0123456789abcdef0123456789abcdef", From: from, To: "+12025550100", Body: body, NumMedia: "0" };
  return postAsTwilio("/v1/providers/twilio/sms", params);
}

function outboxLines() {
  if (!existsSync(outbox)) return [];
  return readFileSync(outbox, "utf8")
    .split("\n")
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line));
}

async function eventually(condition, what, limit = timeout) {
  const deadline = Date.now() + limit;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"] });
let failed = false;
try {
  const context = await browser.newContext({ locale: "en-US", viewport: { width: 1400, height: 1000 } });
  page = await context.newPage();
  page.setDefaultTimeout(timeout);
  const pageErrors = [];
  page.on("pageerror", (error) => pageErrors.push(String(error)));
  const previews = [];
  page.on("response", async (response) => {
    if (response.url().endsWith("/v1/announcements/preview") && response.ok()) {
      previews.push(await response.json().catch(() => null));
    }
  });

  await step("wrong-key", async () => {
    const response = await page.goto(`${url}/console/`);
    check(response.ok(), "GET /console/ answers 200");
    const csp = response.headers()["content-security-policy"] ?? "";
    check(csp.includes("script-src 'self'") && !csp.includes("unsafe-inline"), `a strict CSP (${csp})`);
    await page.getByLabel("API key").fill("not-a-key");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByText("This API key is not known. Check it and try again.").waitFor();
    check((await page.locator("nav").count()) === 0, "no navigation shown for a wrong key");
    check((await page.getByRole("heading", { name: "Compose an announcement" }).count()) === 0, "no screen shown for a wrong key");
    check((await page.evaluate(() => sessionStorage.getItem("liaison.apiKey"))) === null, "a wrong key is not kept");
  });

  await step("csp-blocks-inline-script", async () => {
    const outcome = await page.evaluate(
      () =>
        new Promise((resolve) => {
          const violations = [];
          document.addEventListener("securitypolicyviolation", (e) => violations.push(e.violatedDirective));
          window.inlineScriptRan = false;
          const script = document.createElement("script");
          script.textContent = "window.inlineScriptRan = true;";
          document.head.append(script);
          const div = document.createElement("div");
          div.innerHTML = '<img src="x" onerror="window.inlineScriptRan = true">';
          document.body.append(div);
          setTimeout(() => {
            script.remove();
            div.remove();
            resolve({ ran: window.inlineScriptRan, violations });
          }, 500);
        }),
    );
    check(outcome.ran === false, "an inline script does not run");
    check(outcome.violations.some((d) => d.startsWith("script-src")), `a script-src violation is reported (${outcome.violations})`);
  });

  await step("signed-in", async () => {
    await page.getByLabel("API key").fill(key);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Compose an announcement" }).waitFor();
    check((await page.evaluate(() => sessionStorage.getItem("liaison.apiKey"))) === key, "the key is kept in session storage");
    check((await page.evaluate(() => localStorage.getItem("liaison.apiKey"))) === null, "the key is not in local storage");
    await page.getByRole("link", { name: "Reports" }).waitFor(); // a coordinator sees reports
  });

  await step("compose-preview", async () => {
    await page.getByLabel("Lincoln Elementary").check();
    await page.getByLabel("Voice call").check();
    await page.getByLabel("Subject").fill("Parent Academy");
    await page.getByLabel("Message").fill("Parent Academy: {topic} on {when, date, long}. Free childcare.");
    await page.locator('input[data-argument="topic"]').fill("reading at home");
    await page.locator('input[data-argument="when"]').fill("2030-12-03T18:30");
    await page.getByRole("button", { name: "Add a translation" }).click();
    const translations = page.locator("fieldset.translation");
    await translations.nth(0).getByLabel("Language").fill("es");
    await translations.nth(0).getByLabel("Message").fill("Academia de Padres: {topic} el {when, date, long}. Cuidado de niños gratis.");
    await page.getByRole("button", { name: "Add a translation" }).click();
    await translations.nth(1).getByLabel("Language").fill("ar");
    await translations.nth(1).getByLabel("Message").fill("أكاديمية الآباء: {topic} يوم {when, date, long}. رعاية مجانية للأطفال.");

    const arabic = page.locator('.language-card[data-language="ar"] .channel-preview[data-channel="sms"]');
    await arabic.locator(".rendered").filter({ hasText: "أكاديمية الآباء" }).waitFor();
    const direction = await arabic.locator(".rendered").evaluate((el) => getComputedStyle(el).direction);
    check(direction === "rtl", `the Arabic preview reads right to left (${direction})`);
    const meta = arabic.locator(".sms-meta");
    const encoding = await meta.getAttribute("data-encoding");
    const segments = Number(await meta.getAttribute("data-segments"));
    check(encoding === "UCS-2", `Arabic SMS is UCS-2 (${encoding})`);
    check(segments >= 1, `Arabic SMS has a segment count (${segments})`);
    check((await meta.textContent()).includes(`segments: ${segments}`), "the segment count is shown");
    const arabicPreview = await eventually(
      () => previews.filter(Boolean).at(-1)?.languages?.find((l) => l.language === "ar"),
      "the server's Arabic preview",
    );
    const fromServer = arabicPreview.channels.sms.segments;
    check(fromServer === segments, `shown segments (${segments}) match the server's preview (${fromServer})`);

    const summary = page.locator(".preview-summary");
    check(Number(await summary.getAttribute("data-families")) === expectedFamilies, "the preview counts the audience's families");
    await page.locator(".family-count").filter({ hasText: `${expectedFamilies} families` }).waitFor();
    await page.locator(".no-voice").filter({ hasText: "Somali" }).waitFor(); // no Somali voice

    const unlabeled = await page.$$eval("main input, main select, main textarea", (elements) =>
      elements.filter((e) => !(e.labels && e.labels.length) && !e.getAttribute("aria-label")).map((e) => e.name),
    );
    check(unlabeled.length === 0, `every control has a label (${unlabeled})`);
  });

  let announcementId = "";
  await step("send-confirm", async () => {
    await page.getByRole("button", { name: "Send…" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.waitFor();
    check((await dialog.textContent()).includes(`It goes to ${expectedFamilies} families`), "the confirmation gives the family count");
  });

  await step("progress-100", async () => {
    await page.getByRole("dialog").getByRole("button", { name: "Send", exact: true }).click();
    await page.waitForURL(/#\/announcements\/ann_/);
    announcementId = decodeURIComponent(page.url().split("#/announcements/")[1]);
    await page.locator('progress[data-percent="100"]').waitFor({ timeout: 60_000 });
    await page.getByText("100% done").waitFor();
    await page.locator('[data-state="fanned_out"]').waitFor();
    const sent = Number(await page.locator('table.totals td[data-phase="sent"]').textContent());
    check(sent >= expectedFamilies, `every family was sent something (${sent})`);
    await page.locator('table.by-language tr[data-language="ar"][data-channel="sms"]').waitFor();
  });
  console.log(`     announcement ${announcementId}`);

  // The failed deliveries of GET …/failures. The outbox takes every SMS, so the carrier's report
  // makes one fail: the Arabic family's text comes back undelivered (Twilio error 30003).
  await step("progress-failures", async () => {
    const section = page.locator("section.failures");
    await section.getByRole("heading", { name: "Failures" }).waitFor();
    const arabicSms = outboxLines().find((line) => line.delivery_id.startsWith(`${announcementId}:fam-ar:`) && line.channel === "sms");
    check(arabicSms !== undefined, "the Arabic family's SMS is in the outbox");
    const report = await postAsTwilio(`/v1/providers/twilio/status?delivery_id=${arabicSms.delivery_id}`, {
      MessageSid: "SM00000000000000000000000000000030",
      MessageStatus: "undelivered",
      ErrorCode: "30003",
    });
    check(report.status === 204, `the signed status report is taken (${report.status} ${report.body})`);
    const row = section.locator("table.failure-list tbody tr").filter({ hasText: "30003" });
    await row.waitFor();
    check((await row.textContent()).includes("fam-ar"), "the failure names the family");
    await page.locator('table.totals td[data-phase="failed"]', { hasText: /^1$/ }).waitFor();
    const table = section.locator("table.failure-list");
    check((await table.locator("tbody tr").count()) === 1, "one failed delivery, one row");
    check((await table.locator("caption").count()) === 1, "the failure table has a caption");
    const headers = await table.locator('thead th[scope="col"]').allTextContents();
    const expected = ["Family", "Guardian", "Language", "Channel", "State", "Reason", "Attempts", "When"];
    check(JSON.stringify(headers) === JSON.stringify(expected), `the failure table's column headers (${headers})`);
    check((await row.getAttribute("data-state")) === "undelivered", "its state is the provider's report");
    check((await row.textContent()).includes("the provider reports undelivered (error 30003)"), "the reason is the carrier's");
    check(!(await section.getByRole("button", { name: "Show more" }).isVisible()), "no Show more for one failure");
  });

  // The server's list of announcements (GET /v1/announcements), newest first: the one just sent
  // heads it, with its subject cut to one line, its state and counts, and a link to its progress.
  await step("announcements-list", async () => {
    check((await page.evaluate(() => sessionStorage.getItem("liaison.announcements"))) === null, "no announcement ids are kept in the tab");
    await page.getByRole("navigation").getByRole("link", { name: "Announcements" }).click();
    await page.getByRole("heading", { name: "Announcements", level: 1 }).waitFor();
    const table = page.locator("table.announcement-list");
    const row = table.locator(`tbody tr[data-announcement="${announcementId}"]`);
    await row.waitFor();
    check((await table.locator("caption").textContent()) === "Announcements, newest first", "the list has a caption");
    const headers = await table.locator('thead th[scope="col"]').allTextContents();
    const expected = ["Created", "Subject or message", "State", "sent", "delivered", "failed"];
    check(JSON.stringify(headers) === JSON.stringify(expected), `the list's column headers (${headers})`);
    check((await table.locator("tbody tr").first().getAttribute("data-announcement")) === announcementId, "the newest announcement comes first");
    check((await row.getAttribute("data-state")) === "fanned_out", "the list gives its state");
    check((await row.locator(".badge").textContent()) === "sent out", "the state in words");
    const count = async (phase) => Number(await row.locator(`td[data-phase="${phase}"]`).textContent());
    const handed = (await count("sent")) + (await count("delivered")) + (await count("failed"));
    check(handed >= expectedFamilies, `the list counts what was sent (${handed})`);
    check((await count("failed")) === 1, "and the one the carrier did not deliver");
    const link = row.getByRole("link", { name: "Parent Academy" });
    const style = await link.evaluate((el) => {
      const s = getComputedStyle(el);
      return { whiteSpace: s.whiteSpace, textOverflow: s.textOverflow, overflow: s.overflowX };
    });
    check(style.whiteSpace === "nowrap" && style.textOverflow === "ellipsis" && style.overflow === "hidden", `one line, cut with an ellipsis (${JSON.stringify(style)})`);
    check(!(await page.getByRole("button", { name: "Older" }).isVisible()), "no older page after the only announcement");
    await link.click();
    await page.waitForURL((u) => u.hash === `#/announcements/${encodeURIComponent(announcementId)}`);
    await page.locator('progress[data-percent="100"]').waitFor();
  });

  await step("interpreter-request-offered", async () => {
    await page.getByRole("link", { name: "Interpreters" }).click();
    await page.getByRole("heading", { name: "Interpreter requests" }).waitFor();
    const form = page.locator("form.interpreter-request");
    await form.getByLabel("School").selectOption("lincoln-es");
    await form.getByLabel("Family id").fill("fam-ar");
    await form.getByLabel("Language").fill("ar");
    await form.getByLabel("Meeting").selectOption("iep");
    const start = new Date(Date.now() + 10 * 24 * 3600 * 1000);
    const local = new Date(start.getTime() - start.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
    await form.getByLabel("Start").fill(local);
    await form.getByLabel("Place").fill("Room 12");
    await form.getByRole("button", { name: "Request" }).click();
    await page.getByText(/offered to 1 interpreter\./).waitFor();
    await page.locator('tr[data-state="offered"]').waitFor();
  });

  await step("interpreter-accepted", async () => {
    const offer = await eventually(
      () => outboxLines().find((line) => line.address === interpreterPhone && /YES \d{4}/.test(line.text)),
      "the offer in the outbox",
    );
    const code = offer.text.match(/YES (\d{4})/)[1];
    const reply = await textAsTwilio(interpreterPhone, `YES ${code}`);
    check(reply.status === 200 && reply.body.includes("confirmed"), `the YES is accepted (${reply.status} ${reply.body})`);
    const row = page.locator('tr[data-state="assigned"]');
    await row.waitFor();
    check((await row.locator(".accepted-by").textContent()).includes("int-ar"), "the list says who accepted");
  });

  // A document translation into Arabic: filed, and listed with its language's state (nobody
  // in the seeded pool translates, so it waits as requested).
  await step("translation-request", async () => {
    await page.getByRole("link", { name: "Translations" }).click();
    await page.getByRole("heading", { name: "Translation requests" }).waitFor();
    const form = page.locator("form.translation-request");
    await form.getByLabel("School").selectOption("lincoln-es");
    await form.getByLabel("Document").fill("Snow day letter");
    await form.getByLabel("Text to translate").fill("School is closed tomorrow.");
    await form.getByLabel("Into languages").fill("ar");
    const due = new Date(Date.now() + 5 * 24 * 3600 * 1000);
    await form.getByLabel("Needed by").fill(new Date(due.getTime() - due.getTimezoneOffset() * 60000).toISOString().slice(0, 16));
    await form.getByRole("button", { name: "Request" }).click();
    const row = page.locator("table.request-list tr").filter({ hasText: "Snow day letter" });
    await row.waitFor();
    check((await row.textContent()).includes("Arabic"), "the request lists its target language");
  });

  await step("replies", async () => {
    const inbound = await textAsTwilio(arabicGuardianPhone, "شكرا، سنحضر");
    check(inbound.status === 200, `the family's reply is taken (${inbound.status})`);
    await page.getByRole("link", { name: "Replies" }).click();
    await page.getByLabel("Family id").fill("fam-ar");
    await page.getByRole("button", { name: "Show the conversation" }).click();
    const entry = page.locator(".entry-in .text").filter({ hasText: "شكرا، سنحضر" });
    await entry.waitFor();
    const direction = await entry.evaluate((el) => getComputedStyle(el).direction);
    check(direction === "rtl", `the Arabic reply reads right to left (${direction})`);
    await page.getByLabel("Your answer").fill("See you on Thursday.");
    await page.getByRole("button", { name: "Send the answer" }).click();
    await page.getByText("Answer accepted").waitFor();
  });

  await step("reports", async () => {
    await page.getByRole("link", { name: "Reports" }).click();
    await page.getByRole("heading", { name: "Reach by language and channel" }).waitFor();
  });

  // The report screens drawn from liaisond's own reports: the announcement sent above (its
  // languages, Arabic among them) and the interpreter request filled above.
  await step("reports-drawn", async () => {
    await page.getByRole("button", { name: "Update" }).click();
    const reachSection = page.locator("section.report-section").nth(0);
    await reachSection.locator("table.report tbody tr").first().waitFor();
    check((await reachSection.locator('svg[role="img"] rect.chart-bar').count()) >= 2, "a bar per language");
    check((await reachSection.locator("table.report tbody").innerText()).includes("Arabic"), "Arabic in the reach table");
    const fill = page.locator("section.report-section").nth(1);
    await fill.locator("table.report tbody tr").first().waitFor();
    await fill.getByText("100%").first().waitFor();
    const [download] = await Promise.all([page.waitForEvent("download"), reachSection.getByRole("button", { name: "Download CSV" }).click()]);
    const csv = readFileSync(await download.path(), "utf8");
    check(csv.startsWith("language,") && csv.includes("\r\nar,"), `the CSV (${csv})`);
  });

  await step("spanish", async () => {
    await page.getByLabel("Console language").selectOption("es");
    await page.getByRole("link", { name: "Intérpretes" }).click();
    await page.getByRole("heading", { name: "Solicitudes de intérprete" }).waitFor();
    await page.locator('tr[data-state="assigned"]').getByText("asignada").waitFor();
    check((await page.evaluate(() => document.documentElement.lang)) === "es", "the page says it is in Spanish");
    await page.getByRole("navigation").getByRole("link", { name: "Anuncios" }).click();
    const list = page.locator("table.announcement-list");
    await list.locator(`tr[data-announcement="${announcementId}"]`).waitFor();
    check((await list.locator("caption").textContent()) === "Anuncios, del más reciente al más antiguo", "the list's caption in Spanish");
    await list.getByRole("columnheader", { name: "Asunto o mensaje" }).waitFor();
  });

  check(pageErrors.length === 0, `no script errors in the page (${pageErrors})`);
  console.log(`console e2e: ${stepNumber} steps passed; screenshots in ${screenshots}`);
} catch (error) {
  failed = true;
  console.error(`FAIL step ${stepNumber + 1}: ${error && error.stack ? error.stack : error}`);
  if (page) await page.screenshot({ path: join(screenshots, "failure.png"), fullPage: true }).catch(() => {});
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
