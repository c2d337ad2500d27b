/**
 * Test helper: open a local HTML file in Debian's headless Chromium through the DevTools
 * protocol, measure its SVG charts, collect console errors, exceptions, failed loads and
 * network requests, and save a full-page screenshot.
 */

export const CHROMIUM = "/usr/bin/chromium";

/** What the page showed. */
export interface PageCheck {
  /**
   * Every `<svg>`: rendered width/height, number of drawn shapes inside, and the texts drawn
   * (partly) outside the image (cut off by the viewer), with how far in px.
   */
  svgs: { width: number; height: number; shapes: number; cut: string[] }[];
  /** Console errors and warnings, uncaught exceptions, `Log` errors (e.g. failed loads). */
  errors: string[];
  /** URLs requested other than the page itself. */
  requests: string[];
  /** The page's `<title>`. */
  title: string;
}

type Message = {
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { message: string };
  sessionId?: string;
};

/** Fails with a clear message when Chromium is not installed. */
export async function assertChromium(): Promise<void> {
  try {
    await Deno.stat(CHROMIUM);
  } catch {
    throw new Error(
      `${CHROMIUM} not found: install Debian's chromium ('apt-get install -y chromium') to run the report rendering test`,
    );
  }
}

async function devtoolsUrl(
  stderr: ReadableStream<Uint8Array>,
): Promise<{ url: string; rest: Promise<string> }> {
  const reader = stderr.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  while (true) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`Chromium exited before DevTools listened:\n${seen}`);
    seen += value;
    const m = seen.match(/DevTools listening on (ws:\/\/\S+)/);
    if (m) {
      // Keep draining stderr so Chromium never blocks on a full pipe.
      const rest = (async () => {
        let tail = "";
        while (true) {
          const r = await reader.read();
          if (r.done) return tail;
          tail = (tail + r.value).slice(-20_000);
        }
      })();
      return { url: m[1]!, rest };
    }
  }
}

/** Opens `file` in headless Chromium, checks it, and writes a PNG screenshot to `screenshot`. */
export async function checkPage(file: string, screenshot: string): Promise<PageCheck> {
  await assertChromium();
  const profile = await Deno.makeTempDir({ prefix: "evalkit-chromium-" });
  const child = new Deno.Command(CHROMIUM, {
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-dev-shm-usage",
      `--user-data-dir=${profile}`,
      "--remote-debugging-address=127.0.0.1",
      "--remote-debugging-port=0",
      "--window-size=1280,1000",
      "about:blank",
    ],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const { url, rest } = await devtoolsUrl(child.stderr);
  const ws = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    ws.onopen = () => resolve();
    ws.onerror = () => reject(new Error(`Cannot connect to ${url}`));
  });
  let nextId = 1;
  const pending = new Map<number, { resolve: (m: Message) => void; reject: (e: Error) => void }>();
  const listeners: ((m: Message) => void)[] = [];
  ws.onmessage = (e) => {
    const m = JSON.parse(String(e.data)) as Message;
    if (m.id !== undefined) {
      const p = pending.get(m.id);
      pending.delete(m.id);
      if (m.error) p?.reject(new Error(m.error.message));
      else p?.resolve(m);
    } else listeners.forEach((l) => l(m));
  };
  const send = (method: string, params?: Record<string, unknown>, sessionId?: string) => {
    const id = nextId++;
    ws.send(
      JSON.stringify({ id, method, params: params ?? {}, ...(sessionId ? { sessionId } : {}) }),
    );
    return new Promise<Message>((resolve, reject) => pending.set(id, { resolve, reject }));
  };
  const errors: string[] = [];
  const requests: string[] = [];
  const pageUrl = new URL(`file://${file}`).href;
  let loaded: () => void = () => {};
  const loadedP = new Promise<void>((r) => (loaded = r));
  listeners.push((m) => {
    const p = m.params ?? {};
    if (
      m.method === "Runtime.consoleAPICalled" &&
      ["error", "warning", "assert"].includes(String(p.type))
    ) {
      errors.push(`console.${p.type}: ${JSON.stringify(p.args)}`);
    } else if (m.method === "Runtime.exceptionThrown") {
      errors.push(`exception: ${JSON.stringify(p.exceptionDetails)}`);
    } else if (m.method === "Log.entryAdded") {
      const entry = p.entry as { level: string; text: string; url?: string };
      if (entry.level === "error" || entry.level === "warning") {
        errors.push(`log ${entry.level}: ${entry.text} ${entry.url ?? ""}`);
      }
    } else if (m.method === "Network.requestWillBeSent") {
      const u = (p.request as { url: string }).url;
      if (u !== pageUrl) requests.push(u);
    } else if (m.method === "Page.loadEventFired") loaded();
  });
  try {
    const { result } = await send("Target.createTarget", { url: "about:blank" });
    const attached = await send("Target.attachToTarget", {
      targetId: result!.targetId,
      flatten: true,
    });
    const sid = attached.result!.sessionId as string;
    for (const domain of ["Runtime", "Log", "Network", "Page"]) {
      await send(`${domain}.enable`, {}, sid);
    }
    await send("Page.navigate", { url: pageUrl }, sid);
    await Promise.race([
      loadedP,
      new Promise((_, reject) => {
        const t = setTimeout(() => reject(new Error("page load timed out")), 20_000);
        loadedP.finally(() => clearTimeout(t));
      }),
    ]);
    const evaluated = await send("Runtime.evaluate", {
      expression: `JSON.stringify({
        title: document.title,
        svgs: [...document.querySelectorAll("svg")].map((s) => {
          const r = s.getBoundingClientRect();
          const cut = [...s.querySelectorAll("text")].flatMap((t) => {
            const b = t.getBoundingClientRect();
            const over = Math.max(r.left - b.left, b.right - r.right, r.top - b.top,
              b.bottom - r.bottom);
            return b.width > 0 && over > 0.5 ? [t.textContent + " (" + over.toFixed(1) + " px)"] : [];
          });
          return { width: r.width, height: r.height, cut,
            shapes: s.querySelectorAll("rect, polyline, circle, path, line, text").length };
        }),
      })`,
      returnByValue: true,
    }, sid);
    const page = JSON.parse((evaluated.result!.result as { value: string }).value) as Omit<
      PageCheck,
      "errors" | "requests"
    >;
    const metrics = await send("Page.getLayoutMetrics", {}, sid);
    const size = metrics.result!.cssContentSize as { width: number; height: number };
    const shot = await send("Page.captureScreenshot", {
      format: "png",
      captureBeyondViewport: true,
      clip: {
        x: 0,
        y: 0,
        width: Math.ceil(size.width),
        height: Math.min(Math.ceil(size.height), 16_000),
        scale: 1,
      },
    }, sid);
    const png = Uint8Array.from(atob(shot.result!.data as string), (c) => c.charCodeAt(0));
    await Deno.writeFile(screenshot, png);
    await send("Browser.close").catch(() => {});
    return { ...page, errors, requests };
  } finally {
    ws.close();
    await new Promise((r) => setTimeout(r, 50));
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
    await child.status;
    await rest.catch(() => "");
    await Deno.remove(profile, { recursive: true }).catch(() => {});
  }
}
