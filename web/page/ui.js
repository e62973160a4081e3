// The page's shared state and the things every screen needs: language,
// showing one screen at a time, status and error lines, and forgetting.
// Everything the person typed or received lives in `state` and in the
// document only; forget() drops and wipes it (pagehide, "Close and forget").

import { t, tn, languageFrom } from './i18n.js';
import { $, el, clear } from './view.js';
import { ClientError, ERROR, STEP } from '../src/client/index.js';

export const state = {
  lang: 'en',
  channel: null, // the opened channel (directory, policy)
  chosen: new Set(), // adviser ids (hex) chosen for a new report
  signpost: { group: '', kind: '' },
  newCode: null, // a NewCode while it is shown and typed back
  draft: null, // { text, files: [{ name, bytes }] } of a new report
  session: null, // one opened code
  conversation: null,
  screen: 's-loading',
  busy: false,
  rerender: [], // functions that redraw dynamic parts after a language switch
};

export function tr(key, ...args) {
  return t(state.lang, key, ...args);
}

/** A text about count n (i18n.js C), singular or plural. */
export function trn(key, n, ...args) {
  return tn(state.lang, key, n, ...args);
}

/** Fills every [data-t] element with its text in the current language. */
export function applyTexts() {
  document.documentElement.lang = state.lang;
  document.title = tr('pageTitle');
  for (const node of document.querySelectorAll('[data-t]')) node.textContent = tr(node.dataset.t);
  const sw = $('lang-switch');
  sw.textContent = tr('langSwitch');
  sw.setAttribute('lang', state.lang === 'en' ? 'nl' : 'en');
  sw.setAttribute('aria-label', tr('langSwitchLabel'));
  $('close').title = tr('closeHint');
  for (const f of state.rerender) f();
}

export function initialLanguage() {
  state.lang = languageFrom(navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language]);
}

export function switchLanguage() {
  state.lang = state.lang === 'en' ? 'nl' : 'en';
  applyTexts();
}

/** Shows one screen, hides the others, moves focus to its heading. */
export function show(id) {
  for (const s of document.querySelectorAll('.screen')) s.hidden = s.id !== id;
  state.screen = id;
  const heading = $(id).querySelector('h2');
  if (heading) {
    heading.tabIndex = -1;
    heading.focus();
  }
  window.scrollTo(0, 0);
}

export function status(text) {
  $('status').textContent = text || '';
}

export function showError(text) {
  const box = $('error');
  box.textContent = text || '';
  box.hidden = !text;
}

/** Runs a step with buttons disabled; shows its failure in plain words. */
export async function busy(fn) {
  if (state.busy) return undefined;
  state.busy = true;
  showError('');
  const buttons = [...document.querySelectorAll('main button')];
  for (const b of buttons) b.disabled = true;
  try {
    return await fn();
  } catch (e) {
    status('');
    showError(errorText(e));
    return undefined;
  } finally {
    for (const b of buttons) b.disabled = false;
    state.busy = false;
  }
}

/** Progress events of the client as one status line. */
export function onProgress(event) {
  const count = event.total ? ` ${event.done} / ${event.total}` : '';
  switch (event.step) {
    case STEP.derive: status(tr('progressDerive')); break;
    case STEP.deposit: case STEP.prekeys: status(tr('progressSend')); break;
    case STEP.fetch: case STEP.recognise: case STEP.retrieve: case STEP.pieces:
      status(tr('progressFetch') + count); break;
    case STEP.retry: status(tr(event.lost ? 'retryLost' : 'errBusy')); break;
    default: status(tr('progressWork'));
  }
}

export function adviserName(id) {
  const a = state.channel && state.channel.advisers.find((x) => x.id === id);
  return a ? a.name : tr('adviserNoLongerListed');
}

/** The text for a failure, by the client's error kind; never the typed code. */
export function errorText(e) {
  if (!(e instanceof ClientError)) {
    if (e instanceof RangeError || /memory/i.test(String(e && e.message))) return tr('errMemory');
    return tr('errGeneric', String((e && e.message) || e));
  }
  switch (e.kind) {
    case ERROR.network: case ERROR.timeout: return tr('errUnreachable');
    case ERROR.rateLimited: return tr('errBusy');
    case ERROR.storageFull: return tr('errStorageFull');
    case ERROR.badCode: return codeErrorText(e);
    case ERROR.noConversation: return tr('noMessages');
    case ERROR.moved: return tr('movedRefused');
    case ERROR.noPrekey: return tr('errNoPrekey', (e.advisers || []).map(adviserName).join(', '));
    case ERROR.tooLarge: return tr('errTooLarge');
    case ERROR.partial: return trn('errPartial', e.mayRemain ?? 0);
    case ERROR.unconfirmed: return tr(e.move ? 'errUnconfirmedMove' : e.report ? 'errUnconfirmedReport' : 'errUnconfirmed');
    case ERROR.relay: return tr('errRelay', e.statusName || String(e.status));
    case ERROR.protocol: {
      const kind = e.cause && e.cause.kind;
      if (kind === 'unauthorised') return tr('errDirectory');
      if (kind === 'replay') return tr('errOldDirectory');
      return tr('errGeneric', e.message);
    }
    default: return tr('errGeneric', e.message);
  }
}

export function codeErrorText(e) {
  switch (e.reason) {
    case 'wrong-length': return tr('codeWrongLength');
    case 'bad-character': return e.group ? tr('codeBadCharacter', e.group) : tr('codeBadCharacterSomewhere');
    case 'typo': return tr('codeTypoInGroup', e.group);
    default: return tr('codeTypo');
  }
}

/**
 * Drops everything the page holds about this person: the session's keys
 * (wiped by the client), a code on its way, the draft, every field and the
 * conversation shown. The channel (public directory) stays.
 */
export function forget() {
  if (state.session) {
    try { state.session.close(); } catch { /* already closed */ }
  }
  if (state.newCode) {
    try { state.newCode.wipe(); } catch { /* already wiped */ }
  }
  if (state.draft) for (const f of state.draft.files) f.bytes.fill(0);
  state.session = null;
  state.newCode = null;
  state.draft = null;
  state.conversation = null;
  state.chosen.clear();
  state.signpost = { group: '', kind: '' };
  for (const input of document.querySelectorAll('input, textarea')) {
    if (input.type === 'checkbox') input.checked = false;
    else input.value = '';
  }
  for (const id of ['code-shown', 'conv-entries', 'conv-files-list', 'conv-notes', 'conv-who', 'handover', 'files-list',
    'reply-files-list', 'sent-to', 'sent-notes', 'write-to', 'confirm-intro']) {
    clear($(id));
  }
  status('');
  showError('');
}

export function note(list, text) {
  list.appendChild(el('li', null, text));
}
