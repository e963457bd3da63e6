import type { FastifyReply } from 'fastify';
import { html, type SafeHtml } from './html.ts';

export { html, type SafeHtml } from './html.ts';

/** The site's navigation; pages added later (analytics) append their entry here. */
const navigation: { href: string; label: string }[] = [
  { href: '/', label: 'Warranty lookup' },
  { href: '/rma', label: 'Submit RMA Request' },
  { href: '/register', label: 'Register a product' },
  { href: '/models', label: 'Models and ratings' },
  { href: '/docs', label: 'API' },
  { href: '/analytics', label: 'Analytics' },
  { href: '/fleet', label: 'Fleet' },
];

export interface PageOptions {
  title: string;
  /** The path of the page, to mark its navigation entry as current. */
  path: string;
  body: SafeHtml;
  /** Scripts the page needs (the analytics charts); the portal pages have none. */
  scripts?: string[];
}

/**
 * The shell every page shares: one stylesheet, scripts only where a page asks (charts), landmarks (header/nav/main/footer), a skip link, and a
 * viewport meta so it lays out on a phone.
 */
export function layout({ title, path, body, scripts = [] }: PageOptions): string {
  return `<!doctype html>\n${html`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · wearwatch</title>
<link rel="stylesheet" href="/assets/style.css">
${scripts.map((src) => html`<script src="${src}" defer></script>`)}
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header>
  <p class="brand"><a href="/">wearwatch</a></p>
  <nav aria-label="Main">
    <ul>
      ${navigation.map((item) => html`<li><a href="${item.href}"${item.href === path ? html` aria-current="page"` : ''}>${item.label}</a></li>`)}
    </ul>
  </nav>
</header>
<main id="main">
<h1>${title}</h1>
${body}
</main>
<footer><p>Warranty terms follow the vendor's after-sales warranty policy.</p></footer>
</body>
</html>`}`;
}

export function sendPage(reply: FastifyReply, options: PageOptions, status = 200): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(layout(options));
}

/** A labelled definition list of facts, e.g. a warranty status. */
export function facts(rows: [label: string, value: SafeHtml | string | number][]): SafeHtml {
  return html`<dl class="facts">${rows.map(([label, value]) => html`<dt>${label}</dt><dd>${value}</dd>`)}</dl>`;
}

/** An error or notice box announced to screen readers. */
export function notice(kind: 'error' | 'ok' | 'warn', content: SafeHtml | string): SafeHtml {
  return html`<div class="notice ${kind}" role="${kind === 'error' ? 'alert' : 'status'}">${content}</div>`;
}
