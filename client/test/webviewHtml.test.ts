import assert from "node:assert/strict";
import { test } from "node:test";
import { contentSecurityPolicy, escapeHtml, newNonce, webviewHtml } from "../src/webviewHtml";

const CSP_SOURCE = "https://*.vscode-cdn.net";

function page(nonce = "abc123") {
  return webviewHtml({
    title: "Token <Report>",
    cspSource: CSP_SOURCE,
    nonce,
    scriptUri: "https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/tokenReport.js",
    body: '<main id="report"></main>',
  });
}

/** Each directive's sources, from a policy. */
function directives(policy: string): Map<string, string[]> {
  return new Map(
    policy.split(";").map((part) => {
      const [name, ...sources] = part.trim().split(/\s+/);
      return [name, sources];
    }),
  );
}

test("nothing is allowed that no directive names", () => {
  assert.deepEqual(directives(contentSecurityPolicy(CSP_SOURCE, "n"))?.get("default-src"), ["'none'"]);
});

test("scripts run only with the page's nonce", () => {
  assert.deepEqual(directives(contentSecurityPolicy(CSP_SOURCE, "n")).get("script-src"), ["'nonce-n'"]);
});

test("styles come from the extension or carry the nonce", () => {
  assert.deepEqual(directives(contentSecurityPolicy(CSP_SOURCE, "n")).get("style-src"), [CSP_SOURCE, "'nonce-n'"]);
});

test("no source is on the network beyond the webview's own origin", () => {
  const sources = [...directives(contentSecurityPolicy(CSP_SOURCE, "n")).values()].flat();
  const network = sources.filter((s) => /^(https?:|\*|wss?:)/.test(s) && s !== CSP_SOURCE);
  assert.deepEqual(network, []);
});

test("the page carries the policy in its head", () => {
  assert.ok(page().includes(`<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(CSP_SOURCE, "abc123")}">`));
});

test("the page's script and style carry the nonce", () => {
  const html = page("xyz789");
  assert.match(html, /<script nonce="xyz789" src="[^"]+tokenReport\.js"><\/script>/);
  assert.match(html, /<style nonce="xyz789">/);
});

test("the page has no inline script without the nonce", () => {
  const scripts = page("xyz789").match(/<script[^>]*>/g) ?? [];
  assert.ok(scripts.every((tag) => tag.includes('nonce="xyz789"') && tag.includes("src=")));
});

test("the title is escaped", () => {
  assert.ok(page().includes("<title>Token &#60;Report&#62;</title>"));
});

test("escaping covers every character that could end an attribute or start a tag", () => {
  assert.equal(escapeHtml(`<a href="x" title='y'>&</a>`), "&#60;a href=&#34;x&#34; title=&#39;y&#39;&#62;&#38;&#60;/a&#62;");
});

test("each nonce is new and 128 bits of base64", () => {
  const nonces = new Set(Array.from({ length: 100 }, () => newNonce()));
  assert.equal(nonces.size, 100);
  for (const nonce of nonces) assert.equal(Buffer.from(nonce, "base64").length, 16);
});
