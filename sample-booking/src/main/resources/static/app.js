// The sample's page, served by the booking service: polls /inventory (which booking gathers from the flights, hotels and
// payments services), /transactions and /participants every second and books through POST /bookings.
// No build step, no libraries. ?autobook=1 (or ?autobook=PAYMENT_DECLINED, ...) books once on load and reports the
// outcome in #autobook, which the headless-Chromium check reads.
'use strict';

const $ = (selector) => document.querySelector(selector);
const params = new URLSearchParams(location.search);
let clockOffset = 0;          // server time - browser time, from /inventory
let lastInventory = null;
let selectsFilled = false;

function esc(value) {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}
const short = (id) => (id ? esc(String(id).slice(0, 8)) : '–');
const badge = (state) => `<span class="badge ${esc(state)}">${esc(state)}</span>`;
const num = (n) => Number(n).toLocaleString('en', { maximumFractionDigits: 2 });
const serverNow = () => Date.now() + clockOffset;
const time = (iso) => (iso ? new Date(iso).toLocaleTimeString() : '–');

async function getJson(url) {
  const response = await fetch(url, { cache: 'no-store' });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.json();
}

// ---- rendering -------------------------------------------------------------------------------

function renderInventory(inv) {
  lastInventory = inv;
  clockOffset = inv.now - Date.now();
  $('#hold-seconds').textContent = `${Math.round(inv.settings.holdMillis / 1000)} s`;
  const flights = inv.services.find((s) => s.service === 'flights');
  const hotels = inv.services.find((s) => s.service === 'hotels');
  if (!selectsFilled && flights.reachable && hotels.reachable) {
    $('#flight').innerHTML = flights.items.map((i) => `<option value="${esc(i.code)}">${esc(i.code)} · ${esc(i.label)} · ${num(i.price)}</option>`).join('');
    $('#hotel').innerHTML = hotels.items.map((i) => `<option value="${esc(i.code)}">${esc(i.label)} · ${num(i.price)}/night</option>`).join('');
    selectsFilled = true;
  }
  $('#services').innerHTML = inv.services.map(renderService).join('');
}

const hostOf = (url) => { try { return new URL(url).host; } catch (e) { return url || ''; } };

function renderService(service) {
  const down = service.downUntil ? Date.parse(service.downUntil) : null;
  const left = down ? Math.max(0, Math.ceil((down - serverNow()) / 1000)) : 0;
  const status = down ? `<span class="badge DOWN" title="until ${esc(time(service.downUntil))}">${left > 0 ? `DOWN ${left}s` : 'RESTARTING'}</span>`
    : service.reachable ? '<span class="badge UP">UP</span>'
      : `<span class="badge DOWN" title="${esc(service.error)}">UNREACHABLE</span>`;
  const toggle = down ? `<button class="switch" data-up="${esc(service.service)}">up</button>`
                      : `<button class="switch" data-down="${esc(service.service)}" title="stops the ${esc(service.service)} application for 20 s: its port refuses connections, then it starts again">down 20s</button>`;
  const items = service.items.map((i) => {
    const total = Number(i.total) || 1;
    const c = (100 * Number(i.confirmed)) / total;
    const p = (100 * Number(i.pending)) / total;
    return `<div class="item">
      <div class="name"><span><b>${esc(i.code)}</b> ${esc(i.label)}</span><span>${num(i.available)} / ${num(i.total)} free</span></div>
      <div class="bar" title="confirmed ${num(i.confirmed)}, pending ${num(i.pending)}"><span class="c" style="width:${c}%"></span><span class="p" style="width:${p}%"></span></div>
      <div class="legend">${num(i.confirmed)} confirmed · ${num(i.pending)} held</div></div>`;
  }).join('');
  const unreachable = service.reachable ? '' : `<div class="muted">No answer from ${esc(service.url)}: its inventory and holds are unknown until it is back.</div>`;
  const holds = service.holds.map((h) => {
    const left = Math.ceil((h.expiresAt - serverNow()) / 1000);
    const extra = h.state === 'PENDING' ? `<span class="countdown">${left > 0 ? `expires in ${left}s` : 'expired, releasing…'}</span>` : '';
    const what = service.unit === 'credit' ? `${num(h.amount)} on ${esc(h.resource)}` : `${h.quantity} × ${esc(h.resource)}`;
    return `<li><span>${what} <span class="muted mono">${short(h.xid)}</span></span><span>${extra} ${badge(h.state)}</span></li>`;
  }).join('') || (service.reachable ? '<li class="muted">no holds yet</li>' : '');
  return `<div class="service" data-service="${esc(service.service)}" data-reachable="${service.reachable}">
    <h4><span>${esc(service.service)} <span class="sub">${esc(service.unit || '')} · <span class="mono">${esc(hostOf(service.url))}</span></span></span><span>${status} ${toggle}</span></h4>
    ${unreachable}${items}<ul class="holds">${holds}</ul></div>`;
}

function renderTransactions(data) {
  $('#tx-counts').textContent = Object.entries(data.counts).map(([state, n]) => `${state} ${n}`).join(' · ');
  const rows = data.transactions.map((t) => {
    // each branch lives in a service: its name and the participant endpoint phase two reaches it at
    const branches = t.branches.map((b) => `<span class="chip" data-service="${esc(b.service)}" title="branch ${b.branchId} in the ${esc(b.service)} service, participant endpoint ${esc(b.participant)}; ${b.attempts} phase-two attempt(s)${b.lastError ? ': ' + esc(b.lastError) : ''}">${esc(b.action)} ${badge(b.state)}<span class="where">${esc(b.service)} · <span class="mono">${esc(String(b.participant || '').replace(/^https?:\/\//, ''))}</span></span></span>`).join('');
    return `<tr data-xid="${esc(t.xid)}" data-state="${esc(t.state)}">
      <td class="mono" title="${esc(t.xid)}">${short(t.xid)}</td>
      <td class="mono" title="${esc(t.bookingId)}">${t.bookingId ? `<a href="/bookings/${esc(t.bookingId)}">${short(t.bookingId)}</a>` : '–'}</td>
      <td>${badge(t.state)}</td><td>${branches || '<span class="muted">none</span>'}</td><td>${t.rounds}</td>
      <td>${esc(time(t.createdAt))}</td><td class="cause">${esc(t.cause || '')}</td></tr>`;
  }).join('');
  $('#transactions').innerHTML = rows || '<tr><td colspan="7" class="muted">No TCC transactions yet: book a trip.</td></tr>';
}

function renderParticipants(data) {
  const circuits = Object.entries(data.circuitBreakers).map(([p, s]) => `${p} ${s}`).join(', ');
  $('#status-line').textContent = `Live, refreshed ${new Date().toLocaleTimeString()}` + (circuits ? ` · circuit breakers: ${circuits}` : '');
}

function renderResult(booking, httpStatus, replayed) {
  const el = $('#result');
  el.className = `result ${booking.status}`;
  const trip = booking.trip;
  el.innerHTML = `<div class="big">${badge(booking.status)} HTTP ${httpStatus}${replayed ? ' (replayed)' : ''}</div>
    <div>${trip.seats} seat(s) on ${esc(trip.flight)}, ${trip.rooms} room(s) × ${trip.nights} night(s) at ${esc(trip.hotel)},
      ${num(booking.amount)} on ${esc(trip.card)}${trip.simulate !== 'NONE' ? ` · scenario <b>${esc(trip.simulate)}</b>` : ''}</div>
    ${booking.reason ? `<div>${esc(booking.reason)}</div>` : ''}
    <div class="muted mono">booking <a href="/bookings/${esc(booking.id)}">${esc(booking.id)}</a><br>xid ${esc(booking.xid || '–')}</div>`;
}

function renderError(message) {
  const el = $('#result');
  el.className = 'result ERROR';
  el.innerHTML = `<div class="big">${badge('FAILED')} ${esc(message)}</div>`;
}

// ---- actions ---------------------------------------------------------------------------------

function formBody(scenario) {
  const form = new FormData($('#book-form'));
  return {
    flight: form.get('flight'), seats: Number(form.get('seats')), hotel: form.get('hotel'),
    rooms: Number(form.get('rooms')), nights: Number(form.get('nights')), card: form.get('card'), simulate: scenario,
  };
}

async function book(scenario) {
  const buttons = document.querySelectorAll('button[data-scenario]');
  buttons.forEach((b) => { b.disabled = true; });
  const el = $('#result');
  el.className = 'result PENDING';
  el.innerHTML = `<div class="big">${badge('PENDING')} Booking…</div>` + (scenario === 'HOTEL_SLOW'
    ? `<div>The hotel takes longer than the flight's hold: watch the seat hold count down and be released by itself.</div>` : '');
  try {
    const response = await fetch('/bookings', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': crypto.randomUUID ? crypto.randomUUID() : String(Math.random()) },
      body: JSON.stringify(formBody(scenario)),
    });
    const body = await response.json();
    if (response.status === 201 || response.status === 422) {
      renderResult(body, response.status, response.headers.get('Idempotent-Replayed') === 'true');
      return body;
    }
    renderError(body.detail || `HTTP ${response.status}`);
    return null;
  } catch (e) {
    renderError(e.message);
    return null;
  } finally {
    buttons.forEach((b) => { b.disabled = false; });
    refresh();
  }
}

async function outage(service, up) {
  await fetch(`/participants/${encodeURIComponent(service)}/outage${up ? '' : '?seconds=20'}`, { method: up ? 'DELETE' : 'POST' });
  refresh();
}

let refreshing = false;
async function refresh() {
  if (refreshing) return;
  refreshing = true;
  try {
    const [inv, txs, parts] = await Promise.all([getJson('/inventory'), getJson('/transactions'), getJson('/participants')]);
    renderInventory(inv);
    renderTransactions(txs);
    renderParticipants(parts);
  } catch (e) {
    $('#status-line').textContent = `Cannot reach the application: ${e.message}`;
  } finally {
    refreshing = false;
  }
}

// ---- autobook: used by the headless-browser check -------------------------------------------

async function autobook(scenario) {
  const report = (state, text) => {
    const el = $('#autobook');
    el.hidden = false;
    el.dataset.state = state;
    el.textContent = `AUTOBOOK ${state} ${text}`;
  };
  const expected = scenario === 'NONE' ? 'CONFIRMED' : 'CANCELLED';
  const booking = await book(scenario);
  if (!booking) return report('ERROR', 'the booking request failed');
  // wait until the TCC transaction finished and the page shows it
  for (let i = 0; i < 240; i++) {
    await refresh();
    const row = document.querySelector(`tr[data-xid="${CSS.escape(booking.xid || '')}"]`);
    if (row && row.dataset.state === expected && booking.status === expected) {
      const stillPending = lastInventory.services.some((s) => s.holds.some((h) => h.xid === booking.xid && h.state === 'PENDING'));
      if (!stillPending) return report(expected, `booking=${booking.id} xid=${booking.xid}`);
    }
    if (booking.status !== expected) return report('UNEXPECTED', `booking=${booking.id} status=${booking.status} reason=${booking.reason}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return report('TIMEOUT', `booking=${booking.id} xid=${booking.xid} did not reach ${expected}`);
}

// ---- wiring ----------------------------------------------------------------------------------

$('#book-form').addEventListener('submit', (event) => { event.preventDefault(); book('NONE'); });
document.querySelectorAll('.scenarios button[data-scenario]').forEach((b) => b.addEventListener('click', () => book(b.dataset.scenario)));
$('#services').addEventListener('click', (event) => {
  const target = event.target.closest('button');
  if (target?.dataset.down) outage(target.dataset.down, false);
  if (target?.dataset.up) outage(target.dataset.up, true);
});

(async () => {
  await refresh();
  setInterval(refresh, 1000);
  const auto = params.get('autobook');
  if (auto) autobook(auto === '1' || auto.toUpperCase() === 'TRUE' ? 'NONE' : auto.toUpperCase());
})();
