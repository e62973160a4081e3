// A new report: choose advisers (with the signpost's two questions when the
// directory has one, who-can-read shown before writing), write, the code
// shown once and typed back, send. Also the code screens of a rotation,
// which conversation.js reuses through askNewCode().

import { parseCode } from '../src/protocol/code.js';
import { ClientError, ERROR } from '../src/client/index.js';
import { state, tr, show, status, showError, busy, onProgress, adviserName, codeErrorText, note } from './ui.js';
import { $, el, clear, shown, names, size } from './view.js';

export const MAX_FILES = 8; // PROTOCOL.md "Attachments": at most 8 files per letter

const ROLE_KEY = { internal: 'roleInternal', external: 'roleExternal', committee: 'roleCommittee', integrity: 'roleIntegrity' };

function label(c) {
  return state.lang === 'nl' ? c.labelNl : c.labelEn;
}

// ---- choosing ----

function covers(a, group, kind) {
  const c = a.coverage;
  const inSignpost = c.everyGroup || c.everyKind || c.groups.length > 0 || c.kinds.length > 0;
  if (!inSignpost) return false;
  return (!group || c.everyGroup || c.groups.includes(group)) && (!kind || c.everyKind || c.kinds.includes(kind));
}

function reason(a) {
  const ch = state.channel;
  const c = a.coverage;
  const groupText = c.everyGroup ? tr('reasonEveryone')
    : tr('reasonFor', c.groups.map((g) => label(ch.groups.find((x) => x.id === g) || { labelNl: g, labelEn: g })).join(', '));
  const kindText = c.everyKind ? tr('reasonAnything')
    : tr('reasonAbout', c.kinds.map((k) => label(ch.kinds.find((x) => x.id === k) || { labelNl: k, labelEn: k })).join(', '));
  return `${groupText}; ${kindText}`;
}

function adviserItem(a, withReason) {
  const li = el('li');
  const lab = el('label');
  const box = el('input');
  box.type = 'checkbox';
  box.value = a.id;
  box.checked = state.chosen.has(a.id);
  box.addEventListener('change', () => {
    if (box.checked) state.chosen.add(a.id);
    else state.chosen.delete(a.id);
    renderReaders();
  });
  const text = el('span');
  text.appendChild(el('span', 'adviser-name', shown(a.name)));
  text.appendChild(el('span', 'adviser-role', tr(ROLE_KEY[a.role] || 'roleInternal')));
  if (withReason) text.appendChild(el('span', 'adviser-reason', reason(a)));
  const desc = state.lang === 'nl' ? a.descriptionNl : a.descriptionEn;
  if (desc) text.appendChild(el('span', 'adviser-desc', shown(desc)));
  lab.appendChild(box);
  lab.appendChild(text);
  li.appendChild(lab);
  return li;
}

function fillSelect(select, list, current) {
  clear(select);
  const skip = el('option', null, tr('signpostSkip'));
  skip.value = '';
  select.appendChild(skip);
  for (const c of list) {
    const o = el('option', null, shown(label(c)));
    o.value = c.id;
    select.appendChild(o);
  }
  select.value = current;
}

export function renderChoose() {
  const ch = state.channel;
  if (!ch) return;
  const hasSignpost = ch.groups.length > 0 && ch.kinds.length > 0;
  $('signpost').hidden = !hasSignpost;
  if (hasSignpost) {
    fillSelect($('sp-group'), ch.groups, state.signpost.group);
    fillSelect($('sp-kind'), ch.kinds, state.signpost.kind);
  }
  const { group, kind } = state.signpost;
  const asked = hasSignpost && (group || kind);
  const match = asked ? ch.advisers.filter((a) => covers(a, group, kind)) : [];
  const others = ch.advisers.filter((a) => !match.includes(a));
  const matchList = $('advisers-match');
  const list = $('advisers');
  clear(matchList);
  clear(list);
  for (const a of match) matchList.appendChild(adviserItem(a, true));
  for (const a of others) list.appendChild(adviserItem(a, false));
  $('sp-match-h').hidden = !asked;
  $('sp-match-h').textContent = match.length ? tr('signpostMatch') : tr('signpostNoMatch');
  $('sp-others-h').hidden = !asked || others.length === 0;
  $('sp-others-h').textContent = tr('signpostOthers');
  if (ch.advisers.length === 0) showError(tr('directoryEmpty'));
  renderReaders();
}

function renderReaders() {
  const ch = state.channel;
  const list = $('readers-list');
  clear(list);
  const chosen = ch.advisers.filter((a) => state.chosen.has(a.id));
  if (chosen.length === 0) note(list, tr('readersNone'));
  for (const a of chosen) note(list, `${shown(a.name)} (${tr(ROLE_KEY[a.role] || 'roleInternal')})`);
  const not = ch.advisers.filter((a) => !state.chosen.has(a.id)).map((a) => shown(a.name));
  $('readers-not').textContent = not.length ? tr('readersNot', not.join(', ')) : '';
}

function chosenNames() {
  return names(state.channel.advisers.filter((a) => state.chosen.has(a.id)).map((a) => shown(a.name)), state.lang);
}

export function startNew() {
  showError('');
  renderChoose();
  show('s-choose');
}

function chooseNext() {
  const n = state.chosen.size;
  if (n === 0) return showError(tr('chooseNone'));
  if (n > state.channel.maxReaders) return showError(tr('tooMany', state.channel.maxReaders));
  showError('');
  renderWrite();
  show('s-write');
  $('message').focus();
  return undefined;
}

// ---- writing ----

function renderWrite() {
  $('write-to').textContent = tr('readersHeading') + ' ' + chosenNames();
  const allowed = state.channel.policy.maxAttachmentBytes > 0;
  $('files').closest('.field').hidden = !allowed;
  $('files-hint').textContent = tr('filesHint', MAX_FILES);
  listFiles($('files'), $('files-list'));
}

export function listFiles(input, list) {
  clear(list);
  for (const f of input.files || []) note(list, `${shown(f.name)} (${size(f.size, state.lang)})`);
}

/** Reads chosen files into memory ({ name, bytes }); the caller wipes them. */
export async function readFiles(input) {
  const files = [...(input.files || [])];
  if (files.length > MAX_FILES) throw new Error(tr('attachTooMany', MAX_FILES));
  const out = [];
  for (const f of files) out.push({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) });
  return out;
}

/** Checks text and files against the channel's limits; returns an error text or ''. */
export function draftProblem(text, files) {
  if (text.trim() === '') return tr('messageEmpty');
  try {
    state.channel.checkMessage({ text, files });
  } catch (e) {
    if (e.maxBytes !== undefined) return tr('messageTooLong', e.maxBytes);
    if (files.some((f) => f.bytes.length === 0)) return tr('attachEmpty');
    if (files.length > MAX_FILES) return tr('attachTooMany', MAX_FILES);
    return tr('attachTooLarge', size(state.channel.policy.maxAttachmentBytes, state.lang));
  }
  return '';
}

async function writeNext() {
  await busy(async () => {
    const text = $('message').value;
    const files = await readFiles($('files'));
    const problem = draftProblem(text, files);
    if (problem) {
      for (const f of files) f.bytes.fill(0);
      showError(problem);
      return;
    }
    if (state.draft) for (const f of state.draft.files) f.bytes.fill(0);
    state.draft = { text, files };
    askNewCode('report');
  });
}

// ---- the code, shown once and typed back ----

let purpose = 'report'; // or 'rotate'
let onConfirmed = null; // for a rotation: async (newCode, typed) => void

/** Shows a fresh code (purpose 'report' or 'rotate'); confirmed(newCode, typed) runs after it is typed back. */
export function askNewCode(what, confirmed = null) {
  purpose = what;
  onConfirmed = confirmed;
  if (state.newCode) state.newCode.wipe();
  state.newCode = state.channel.newCode();
  $('code-shown').textContent = state.newCode.display;
  $('confirm-code').value = '';
  show('s-code');
}

function codeWritten() {
  // The code leaves the screen before it is typed back, as in reporter-client.
  $('code-shown').textContent = '';
  $('confirm-intro').textContent = purpose === 'report' ? tr('confirmIntro', chosenNames()) : tr('confirmRotateIntro');
  show('s-confirm');
  $('confirm-code').focus();
}

function showCodeAgain() {
  $('code-shown').textContent = state.newCode.display;
  show('s-code');
}

async function confirm(event) {
  event.preventDefault();
  const typed = $('confirm-code').value;
  try {
    parseCode(typed).fill(0);
  } catch (e) {
    showError(codeErrorText(e) + ' ' + tr('nothingSent'));
    return;
  }
  if (!state.newCode.matches(typed)) {
    showError(tr('codeNotThisOne') + ' ' + tr('nothingSent'));
    return;
  }
  showError('');
  if (purpose === 'rotate') {
    const code = state.newCode;
    state.newCode = null; // the client wipes it when rotate ends
    await onConfirmed(code, typed);
    return;
  }
  let unconfirmed = false;
  await busy(async () => {
    const code = state.newCode;
    state.newCode = null; // the client wipes it when report ends, sent or not
    const { text, files } = state.draft;
    const to = [...state.chosen];
    try {
      const result = await state.channel.report({ code, advisers: to, text, files, onProgress });
      sent(to, result);
    } catch (e) {
      // Nothing usable was sent, and the shown code is gone with the
      // attempt; unless the report may have arrived: then the code the
      // reporter wrote down is what tells (errUnconfirmedReport).
      unconfirmed = e instanceof ClientError && e.kind === ERROR.unconfirmed;
      if (unconfirmed) e.report = true;
      $('confirm-code').value = '';
      show('s-write');
      throw e;
    }
  });
  if (state.screen === 's-write' && !unconfirmed) showError($('error').textContent + ' ' + tr('codeDiscarded'));
}

function sent(to, result) {
  status('');
  $('sent-to').textContent = tr('sentTo', names(to.map(adviserName).map(shown), state.lang));
  const notes = $('sent-notes');
  clear(notes);
  for (const id of result.withoutOneTime || []) note(notes, tr('noPrekeyNote', shown(adviserName(id))));
  for (const f of state.draft.files) f.bytes.fill(0);
  state.draft = null;
  state.chosen.clear();
  $('message').value = '';
  $('files').value = '';
  $('confirm-code').value = '';
  show('s-sent');
}

export function wireReport(home) {
  $('choose-back').addEventListener('click', home);
  $('choose-next').addEventListener('click', chooseNext);
  $('sp-group').addEventListener('change', (e) => { state.signpost.group = e.target.value; renderChoose(); });
  $('sp-kind').addEventListener('change', (e) => { state.signpost.kind = e.target.value; renderChoose(); });
  $('write-back').addEventListener('click', () => { renderChoose(); show('s-choose'); });
  $('write-next').addEventListener('click', writeNext);
  $('files').addEventListener('change', () => listFiles($('files'), $('files-list')));
  $('code-written').addEventListener('click', codeWritten);
  $('confirm-show').addEventListener('click', showCodeAgain);
  $('confirm-form').addEventListener('submit', confirm);
  $('sent-home').addEventListener('click', home);
  state.rerender.push(() => {
    if (state.screen === 's-choose') renderChoose();
    if (state.screen === 's-write') renderWrite();
    if (state.screen === 's-confirm') {
      $('confirm-intro').textContent = purpose === 'report' ? tr('confirmIntro', chosenNames()) : tr('confirmRotateIntro');
    }
  });
  status('');
}
