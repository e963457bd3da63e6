import type { ModelInfo } from '../../core/catalog/model-table.ts';
import type { FieldProblem } from '../../core/errors.ts';
import type { ShippingInstructions } from '../../rma/instructions.ts';
import { requiredInformation } from '../../rma/instructions.ts';
import type { ReasonInfo, RmaView } from '../../rma/service.ts';
import type { WarrantyStatus } from '../../warranty/rules.ts';
import type { PublicWarranty } from '../../warranty/service.ts';
import { facts, html, notice, type SafeHtml } from './layout.ts';

/** How each warranty status reads to a customer. */
const statusLabels: Record<WarrantyStatus, string> = {
  active: 'Covered',
  not_started: 'Coverage not started yet',
  expired_time: 'Expired: warranty term ended',
  expired_tbw: 'Expired: TBW rating reached',
  expired_pe: 'Expired: P/E cycle rating reached',
  void: 'Not covered: excluded at inspection',
  replaced: 'Replaced: coverage continues on the replacement unit',
  undetermined: 'Cannot be determined',
};

const basisLabels = {
  purchase: 'purchase date (proof of purchase on file)',
  manufacture: 'manufacturing date in the serial number',
  replacement: 'replacement date',
} as const;

// Terabytes to one decimal for reading; the exact count is in the JSON API (a decimal string beyond 2^53).
const tb = (bytes: number | string) => `${(Number(bytes) / 1e12).toLocaleString('en-US', { maximumFractionDigits: 1 })} TB`;
const cycles = (n: number | string) => `${Math.round(Number(n)).toLocaleString('en-US')} cycles`;

export function lookupForm(serial: string, problem?: string): SafeHtml {
  return html`<form method="get" action="/" role="search" aria-label="Warranty lookup">
  <div>
    <label for="serial">Serial number <span class="hint">(printed on the label, e.g. NV2447A1B2C3)</span></label>
    <input type="search" id="serial" name="serial" value="${serial}" required minlength="4" maxlength="64"
      autocomplete="off" autocapitalize="characters" spellcheck="false"${problem ? html` aria-invalid="true" aria-describedby="serial-error"` : ''}>
    ${problem ? html`<p class="hint" id="serial-error">${problem}</p>` : ''}
  </div>
  <button type="submit">Check warranty</button>
</form>`;
}

export function warrantyResult(w: PublicWarranty): SafeHtml {
  const wear = w.wear;
  const format = wear?.unit === 'bytes' ? tb : cycles;
  const rows: [string, SafeHtml | string | number][] = [
    ['Status', html`<span class="status-${w.status === 'active' ? 'covered' : w.status}">${statusLabels[w.status]}</span>`],
    ['Model', w.model ?? 'unknown'],
    ['Coverage start', w.coverage.start ? `${w.coverage.start} (${basisLabels[w.coverage.basis!]})` : 'unknown'],
    ['Coverage end', w.coverage.end ? `${w.coverage.end}${w.coverage.days_left ? ` (${w.coverage.days_left} days left)` : ''}` : 'unknown'],
  ];
  if (wear) {
    const label = wear.metric === 'tbw' ? 'TBW' : 'P/E cycles';
    rows.push([`${label} rating`, format(wear.limit)]);
    rows.push([
      `${label} used`,
      wear.used === null
        ? 'no telemetry received yet'
        : html`${format(wear.used)} (${wear.used_pct}%) <meter class="meter" min="0" max="100" low="80" high="95" optimum="0" value="${Math.min(100, wear.used_pct ?? 0)}" aria-label="${label} used, percent">${wear.used_pct}%</meter>`,
    ]);
    if (wear.remaining !== null) rows.push([`${label} remaining`, `${format(wear.remaining)} (${wear.remaining_pct}%)`]);
    rows.push([
      'Estimated remaining life',
      wear.remaining_life_days === null
        ? 'not enough recent telemetry to estimate'
        : `${wear.remaining_life}${wear.projected_wearout ? ` (rating reached around ${wear.projected_wearout})` : ''}`,
    ]);
  }
  if (w.replacement) rows.push(['Replacement coverage', w.replacement.rule]);
  return html`<section aria-labelledby="result-heading">
  <h2 id="result-heading">Serial ${w.serial}</h2>
  ${facts(rows)}
  ${
    w.claim.eligible
      ? notice('ok', html`This unit is eligible for warranty service. <a href="/rma?serial=${w.serial}">Submit an RMA request</a>.`)
      : notice('warn', html`A warranty claim would not be accepted: ${reasonList(w.claim.failing)}`)
  }
  <p class="hint">Evaluated on ${w.evaluated_on} from the latest telemetry received.</p>
</section>
${warrantyTerms()}`;
}

/** Clause V as the customer must read it, and the unit TB is counted in. */
function warrantyTerms(): SafeHtml {
  return html`<section aria-labelledby="terms-heading">
  <h2 id="terms-heading">Warranty terms</h2>
  <ul>
    <li>To the fullest extent permitted by law, this warranty is your sole and exclusive remedy; all other warranties,
      express or implied, are disclaimed.</li>
    <li>We are not liable for any indirect, incidental or consequential damages (including data loss, loss of profit or
      business interruption) arising from the use of, or inability to use, the product.</li>
    <li>Our total liability for any warranty claim does not exceed the amount you actually paid for the product.</li>
    <li>TB means terabytes of 10<sup>12</sup> bytes; TBW is the total host bytes written the model is rated for.</li>
  </ul>
</section>`;
}

function reasonList(reasons: ReasonInfo[]): SafeHtml {
  return html`<ul>${reasons.map((r) => html`<li>${r.rule}${r.clause ? html` <span class="hint">(${r.clause})</span>` : ''}</li>`)}</ul>`;
}

export interface RmaFormValues {
  serial?: string;
  name?: string;
  email?: string;
  phone?: string;
  proof_of_purchase?: string;
  purchase_date?: string;
  seller?: string;
  symptom?: string;
  acknowledge?: string;
}

/** Form fields → the request field each one fills, so API validation errors land next to the right input. */
const formFieldFor: Record<string, keyof RmaFormValues> = {
  'body.serial': 'serial',
  'body.contact.name': 'name',
  'body.contact.email': 'email',
  'body.contact.phone': 'phone',
  'body.proof_of_purchase': 'proof_of_purchase',
  'body.proof_of_purchase.reference': 'proof_of_purchase',
  'body.proof_of_purchase.purchase_date': 'purchase_date',
  'body.proof_of_purchase.seller': 'seller',
  'body.symptom': 'symptom',
  'body.data_responsibility_acknowledged': 'acknowledge',
};

export function rmaForm(values: RmaFormValues, problems: FieldProblem[] = []): SafeHtml {
  const errorOf = (name: keyof RmaFormValues) => problems.find((p) => formFieldFor[p.field] === name)?.message;
  const field = (name: keyof RmaFormValues, label: string, input: (attrs: SafeHtml) => SafeHtml, hint?: string) => {
    const error = errorOf(name);
    const attrs = html`id="rma-${name}" name="${name}"${error ? html` aria-invalid="true" aria-describedby="rma-${name}-error"` : ''}`;
    return html`<div>
    <label for="rma-${name}">${label}${hint ? html` <span class="hint">${hint}</span>` : ''}</label>
    ${input(attrs)}
    ${error ? html`<p class="hint" id="rma-${name}-error"><strong>${error}</strong></p>` : ''}
  </div>`;
  };
  return html`<form method="post" action="/rma" novalidate aria-label="RMA request">
  ${field('serial', 'Serial number', (a) => html`<input type="text" ${a} value="${values.serial ?? ''}" required maxlength="64" autocomplete="off">`)}
  ${field('name', 'Your name', (a) => html`<input type="text" ${a} value="${values.name ?? ''}" required maxlength="100" autocomplete="name">`)}
  ${field('email', 'E-mail', (a) => html`<input type="email" ${a} value="${values.email ?? ''}" required maxlength="200" autocomplete="email">`)}
  ${field('phone', 'Phone', (a) => html`<input type="text" ${a} value="${values.phone ?? ''}" maxlength="40" autocomplete="tel">`, '(optional)')}
  ${field('proof_of_purchase', 'Proof-of-purchase reference', (a) => html`<input type="text" ${a} value="${values.proof_of_purchase ?? ''}" maxlength="128">`, '(invoice or receipt number, optional: with the purchase date, coverage is counted from that date until the desk verifies the proof)')}
  ${field('purchase_date', 'Purchase date on the invoice or receipt', (a) => html`<input type="date" ${a} value="${values.purchase_date ?? ''}">`, '(with a proof of purchase)')}
  ${field('seller', 'Seller', (a) => html`<input type="text" ${a} value="${values.seller ?? ''}" maxlength="200">`, '(optional)')}
  ${field('symptom', 'What is wrong with the unit?', (a) => html`<textarea ${a} rows="4" required maxlength="2000">${values.symptom ?? ''}</textarea>`)}
  <div>
    <label class="check" for="rma-acknowledge"><input type="checkbox" id="rma-acknowledge" name="acknowledge" value="yes"${values.acknowledge ? html` checked` : ''}${errorOf('acknowledge') ? html` aria-invalid="true" aria-describedby="rma-acknowledge-error"` : ''}>
      <span>I have backed up and removed my data. I understand that data on the unit is my responsibility and may be lost during service.</span></label>
    ${errorOf('acknowledge') ? html`<p class="hint" id="rma-acknowledge-error"><strong>${errorOf('acknowledge')}</strong></p>` : ''}
  </div>
  <button type="submit">Submit RMA request</button>
</form>`;
}

/** The error summary shown first on a page that came back with problems, each linking to its field. */
export function problemSummary(problems: FieldProblem[]): SafeHtml {
  return notice(
    'error',
    html`Please correct the following to submit your request:
    <ul>${problems.map((p) => {
      const name = formFieldFor[p.field];
      return html`<li>${name ? html`<a href="#rma-${name}">${p.message}</a>` : p.message}</li>`;
    })}</ul>`,
  );
}

export function rmaGuide(shipping: ShippingInstructions): SafeHtml {
  return html`<section aria-labelledby="steps-heading">
  <h2 id="steps-heading">How returns work</h2>
  <ol class="steps">${shipping.steps.map((s) => html`<li>${s}</li>`)}</ol>
</section>
<section aria-labelledby="info-heading">
  <h2 id="info-heading">Information you need</h2>
  <ul>${requiredInformation.map((s) => html`<li>${s}</li>`)}</ul>
</section>
${shippingDetails(shipping)}`;
}

function shippingDetails(shipping: ShippingInstructions): SafeHtml {
  return html`<section aria-labelledby="packaging-heading">
  <h2 id="packaging-heading">Packaging</h2>
  <ul>${shipping.packaging.map((s) => html`<li>${s}</li>`)}</ul>
</section>
<section aria-labelledby="address-heading">
  <h2 id="address-heading">Mailing address</h2>
  <p>Ship only after you have an authorised RMA number; shipments without one are refused.</p>
  <address>${shipping.mailing_address.join('\n')}</address>
</section>`;
}

const stateLabels: Record<RmaView['state'], string> = {
  requested: 'Requested',
  authorised: 'Authorised: ship the unit',
  received: 'Unit received',
  inspected: 'Inspected',
  repaired: 'Repaired',
  replaced: 'Replaced',
  refunded: 'Refunded',
  rejected: 'Declined',
  closed: 'Closed',
  expired: 'Expired: the unit was not received in time',
  proof_verified: 'Proof of purchase verified',
  proof_rejected: 'Proof of purchase rejected',
};

/**
 * An RMA's status page. By its number alone: the state and the next step. Through its private status link (`full`):
 * the reasons, the proof's verification and the history with any replacement serial.
 */
export function rmaStatus(view: RmaView, shipping: ShippingInstructions | null, full: boolean): SafeHtml {
  if (!full) {
    return html`<section aria-labelledby="rma-heading">
  <h2 id="rma-heading">RMA number <span data-rma-number>${view.rma_number}</span></h2>
  ${facts([
    ['State', stateLabels[view.state]],
    ['Next step', view.next_step],
    ['Last update', when(view.updated_at)],
  ])}
  <p>Open the status link you received with your request to see the details of your case.</p>
</section>`;
  }
  return html`<section aria-labelledby="rma-heading">
  <h2 id="rma-heading">RMA number <span data-rma-number>${view.rma_number}</span></h2>
  ${
    view.state === 'authorised'
      ? notice('ok', html`Your request is authorised. Write <strong>${view.rma_number}</strong> on the box and ship the unit as described below.`)
      : view.state === 'rejected'
        ? notice('warn', html`Your request was declined: ${reasonList(view.reasons)}`)
        : ''
  }
  ${facts([
    ['Serial', view.serial],
    ['State', stateLabels[view.state]],
    ['Next step', view.next_step],
    ['Proof of purchase', view.proof ? `${view.proof.status.replaceAll('_', ' ')}${view.proof.reason ? `: ${view.proof.reason}` : ''}` : 'none given'],
    ['Opened', when(view.opened_at)],
    ['Last update', when(view.updated_at)],
  ])}
  <h3>History</h3>
  <ol>${view.events.map((e) => html`<li>${when(e.at)}: ${stateLabels[e.type]}${e.replacement_serial ? ` (replacement serial ${e.replacement_serial})` : ''}</li>`)}</ol>
</section>
${shipping ? shippingDetails(shipping) : ''}`;
}

export function modelTable(models: ModelInfo[]): SafeHtml {
  const rows = (kind: 'ssd' | 'tf') => models.filter((m) => m.kind === kind);
  return html`<p>Every model's endurance rating and warranty term. The warranty ends at the end of the term or when the
  rating is reached, whichever comes first.</p>
<h2 id="ssd-heading">SSDs: TBW (terabytes written)</h2>
<div class="table-wrap"><table aria-labelledby="ssd-heading">
  <thead><tr><th scope="col">Model</th><th scope="col" class="num">Capacity</th><th scope="col" class="num">TBW</th><th scope="col" class="num">Warranty</th><th scope="col">Operating temp.</th></tr></thead>
  <tbody>${rows('ssd').map(
    (m) =>
      html`<tr><th scope="row">${m.model}</th><td class="num">${capacity(m.capacity_gb)}</td><td class="num">${(m.tbw_tb ?? 0).toLocaleString('en-US')} TB</td><td class="num">${m.warranty_months / 12} years</td><td class="nowrap">${m.temp_min_c}–${m.temp_max_c} °C</td></tr>`,
  )}</tbody>
</table></div>
<h2 id="tf-heading">TF (microSD) cards: P/E cycles</h2>
<div class="table-wrap"><table aria-labelledby="tf-heading">
  <thead><tr><th scope="col">Model</th><th scope="col" class="num">Capacity</th><th scope="col" class="num">P/E cycles</th><th scope="col" class="num">Warranty</th><th scope="col">Operating temp.</th></tr></thead>
  <tbody>${rows('tf').map(
    (m) =>
      html`<tr><th scope="row">${m.model}</th><td class="num">${capacity(m.capacity_gb)}</td><td class="num">${(m.pe_cycles ?? 0).toLocaleString('en-US')}</td><td class="num">${m.warranty_months / 12} years</td><td class="nowrap">${m.temp_min_c}–${m.temp_max_c} °C</td></tr>`,
  )}</tbody>
</table></div>
${models.length === 0 ? notice('warn', 'The product catalog has not been loaded yet.') : ''}`;
}

/** An ISO instant as a customer reads it: date, minutes and the zone. */
const when = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

const capacity = (gb: number) => (gb >= 1024 ? `${gb / 1024} TB` : `${gb} GB`);

export interface RegisterFormValues {
  serial?: string;
  model?: string;
  reference?: string;
  purchase_date?: string;
  seller?: string;
  name?: string;
  email?: string;
}

/** Product registration for a unit bought in a shop: the proof of purchase starts its warranty. */
export function registerForm(values: RegisterFormValues, models: string[], problem?: string): SafeHtml {
  const input = (name: keyof RegisterFormValues, label: string, type = 'text', hint = '') => html`<div>
    <label for="reg-${name}">${label}${hint ? html` <span class="hint">${hint}</span>` : ''}</label>
    <input type="${type}" id="reg-${name}" name="${name}" value="${values[name] ?? ''}" maxlength="200">
  </div>`;
  return html`${problem ? notice('error', problem) : ''}<p>Bought a unit in a shop? Register it with your proof of purchase: its warranty then
  counts from the purchase date, and you can look it up and request service.</p>
<form method="post" action="/register" novalidate aria-label="Product registration">
  ${input('serial', 'Serial number', 'text', '(printed on the label)')}
  <div><label for="reg-model">Model</label><select id="reg-model" name="model">${models.map(
    (m) => html`<option value="${m}"${values.model === m ? html` selected` : ''}>${m}</option>`,
  )}</select></div>
  ${input('reference', 'Invoice or receipt number')}
  ${input('purchase_date', 'Purchase date', 'date')}
  ${input('seller', 'Seller', 'text', '(optional)')}
  ${input('name', 'Your name')}
  ${input('email', 'E-mail', 'email')}
  <button type="submit">Register</button>
</form>`;
}
