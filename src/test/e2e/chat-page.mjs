// Drives Tandem's chat page in headless Chromium: send a message, watch the answer stream in,
// stop it, then let a second answer finish. Prints what it saw as one JSON object (the Java test
// asserts on it) and saves a screenshot.
//   node chat-page.mjs BASE_URL SCREENSHOT_PATH [CHROMIUM]
import { chromium } from "playwright-core";

const [baseUrl, screenshot, executablePath = "/usr/bin/chromium"] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"],
});
const seen = { models: [], growth: [], stoppedStats: "", finishedStats: "", firstAnswer: "", secondAnswer: "", requests: [] };
try {
  const page = await browser.newPage({ viewport: { width: 1000, height: 640 } });
  // The first answer must run long enough to be stopped: ask the server to ignore EOS for it, the
  // way a test client would; the page itself sends what a user's request holds.
  let first = true;
  await page.route("**/v1/chat/completions", async (route) => {
    const body = JSON.parse(route.request().postData());
    seen.requests.push(body);
    if (first) {
      first = false;
      body.ignore_eos = true;
      body.max_tokens = 900;
    }
    await route.continue({ postData: JSON.stringify(body) });
  });
  await page.goto(baseUrl);
  await page.waitForFunction(() => document.querySelectorAll("#model option").length > 0);
  seen.models = await page.$$eval("#model option", (os) => os.map((o) => o.value));

  await page.fill("#prompt", "Tell me a long story.");
  await page.press("#prompt", "Enter");
  const answer = page.locator(".msg.assistant").first();
  // Record the answer's length as it grows, until it has grown at least three times.
  const deadline = Date.now() + 30000;
  while (seen.growth.length < 4 && Date.now() < deadline) {
    const length = (await answer.textContent()).length;
    if (length > 0 && length !== seen.growth.at(-1)) seen.growth.push(length);
    await page.waitForTimeout(5);
  }
  await page.click("#stop");
  await page.waitForSelector(".msg.assistant[data-done=true]");
  seen.stoppedStats = await page.textContent("#stats");
  seen.firstAnswer = await answer.textContent();
  await page.waitForTimeout(300);
  seen.firstAnswerAfterStop = await answer.textContent();
  seen.sendEnabledAfterStop = await page.isEnabled("#send");

  await page.fill("#max-tokens", "24");
  await page.fill("#prompt", "Hello!");
  await page.press("#prompt", "Enter");
  await page.waitForSelector(".msg.assistant >> nth=1");
  await page.waitForSelector(".msg.assistant[data-done=true] >> nth=1", { timeout: 30000 });
  seen.finishedStats = await page.textContent("#stats");
  seen.secondAnswer = await page.locator(".msg.assistant").nth(1).textContent();
  seen.errors = await page.$$eval(".msg.error", (es) => es.map((e) => e.textContent));
  await page.screenshot({ path: screenshot });
} finally {
  await browser.close();
}
console.log(JSON.stringify(seen));
