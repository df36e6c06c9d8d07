let keys = 0;
/** A one-time key such as a page renders into its forms. */
export const newKey = () => `test-key-${String(++keys).padStart(8, "0")}-${process.pid}-${Date.now()}`;
const withKey = (form: Record<string, string | string[]>) => ("submitKey" in form ? form : { ...form, submitKey: newKey() });

/**
 * A small cookie-keeping HTTP client, like a browser without JavaScript: forms are posted as
 * application/x-www-form-urlencoded with the portal's own Origin, redirects are not followed
 * unless asked, so that tests can look at each hop.
 */
export class Visitor {
  readonly cookies = new Map<string, string>();
  constructor(readonly baseUrl: string) {}

  private remember(response: Response) {
    for (const header of response.headers.getSetCookie()) {
      const [pair] = header.split(";");
      const index = pair!.indexOf("=");
      const name = pair!.slice(0, index).trim();
      const value = pair!.slice(index + 1).trim();
      const expired = /max-age=0/i.test(header) || value === "";
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  private cookieHeader() {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0) headers.set("Cookie", this.cookieHeader());
    const response = await fetch(new URL(path, this.baseUrl), { ...init, headers, redirect: "manual" });
    this.remember(response);
    return response;
  }

  get(path: string, init: RequestInit = {}) {
    return this.request(path, { ...init, method: "GET" });
  }

  /** GET, following redirects the way a browser would; returns the last response. */
  async follow(path: string): Promise<Response> {
    let response = await this.get(path);
    for (let hops = 0; hops < 5 && response.status >= 300 && response.status < 400; hops++) {
      response = await this.get(response.headers.get("Location")!);
    }
    return response;
  }

  /**
   * Posts a form as the portal's pages render it: with a one-time key (`submitKey`), a fresh one
   * unless the form carries its own (to repeat a post, pass the key again). `postWithoutKey`
   * sends exactly what it is given.
   */
  post(path: string, form: Record<string, string | string[]>, headers: Record<string, string> = {}) {
    return this.postWithoutKey(path, withKey(form), headers);
  }

  postWithoutKey(path: string, form: Record<string, string | string[]>, headers: Record<string, string> = {}) {
    const body = new URLSearchParams();
    for (const [key, value] of Object.entries(form)) {
      for (const item of Array.isArray(value) ? value : [value]) body.append(key, item);
    }
    return this.request(path, {
      method: "POST",
      body,
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        Origin: new URL(this.baseUrl).origin,
        "Sec-Fetch-Site": "same-origin",
        ...headers,
      },
    });
  }

  /** A multipart post, as a browser sends a form with a file input. */
  postMultipart(
    path: string,
    form: Record<string, string | string[]>,
    files: Record<string, { name: string; type: string; content: string | Uint8Array }> = {},
  ) {
    const body = new FormData();
    for (const [key, value] of Object.entries(withKey(form))) {
      for (const item of Array.isArray(value) ? value : [value]) body.append(key, item);
    }
    for (const [key, file] of Object.entries(files)) {
      const bytes = typeof file.content === "string" ? new TextEncoder().encode(file.content) : file.content;
      body.append(key, new Blob([bytes as Uint8Array<ArrayBuffer>], { type: file.type }), file.name);
    }
    return this.request(path, {
      method: "POST",
      body,
      headers: { Origin: new URL(this.baseUrl).origin, "Sec-Fetch-Site": "same-origin" },
    });
  }
}
