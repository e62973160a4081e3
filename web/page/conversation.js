// Following up with a code: read the conversation (new replies marked),
// answer a hand-over proposal, save advisers' files, reply, move to a new
// code. The session (keys derived from the code) lives in state.session
// until forget().

import { ClientError, ERROR } from '../src/client/index.js';
import { state, tr, trn, show, status, showError, busy, onProgress, adviserName, note } from './ui.js';
import { askNewCode, readFiles, draftProblem, listFiles } from './report.js';
import { $, el, clear, shown, names, size, when, day, download } from './view.js';

export function startCheck() {
  showError('');
  $('check-code').value = '';
  show('s-check');
  $('check-code').focus();
}

async function openCode(event) {
  event.preventDefault();
  await busy(async () => {
    const typed = $('check-code').value;
    if (state.session) state.session.close();
    state.session = null;
    state.session = await state.channel.open(typed, { onProgress });
    $('check-code').value = '';
    await refresh();
  });
}

/** Fetches the conversation again and shows it. */
async function refresh() {
  state.conversation = await state.session.check({ onProgress });
  status('');
  renderConversation();
  if (state.screen !== 's-conversation') show('s-conversation');
}

function who(m) {
  if (m.fromReporter) return tr('entryYouTo', names(m.to.map(adviserName).map(shown), state.lang));
  return shown(m.adviserName || adviserName(m.adviser));
}

function renderEntries(c) {
  const list = $('conv-entries');
  clear(list);
  for (const m of c.messages) {
    const li = el('li', 'entry ' + (m.fromReporter ? 'mine' : 'theirs') + (m.isNew ? ' new' : ''));
    const head = el('div', 'entry-head');
    head.appendChild(el('span', 'time', when(m.sentAt, state.lang)));
    head.appendChild(el('span', 'who', who(m)));
    if (m.isNew) head.appendChild(el('span', 'badge', tr('newMarker')));
    if (m.signed === 'unsigned') head.appendChild(el('span', 'badge warn', tr('unsigned')));
    li.appendChild(head);
    li.appendChild(el('p', 'entry-body', shown(m.text)));
    for (const f of m.files || []) {
      if (f.status === 'not-here' && !f.fromReporter) {
        li.appendChild(el('p', 'hint', tr('entryFileStayed', shown(f.name), size(f.size, state.lang))));
      }
    }
    list.appendChild(li);
  }
  for (const a of c.answers || []) {
    const li = el('li', 'entry mine');
    const head = el('div', 'entry-head');
    head.appendChild(el('span', 'time', when(a.sentAt, state.lang)));
    li.appendChild(head);
    li.appendChild(el('p', 'entry-body', tr(a.accepted ? 'entryAccepted' : 'entryDeclined', shown(adviserName(a.to)))));
    list.appendChild(li);
  }
}

function renderFiles(c) {
  const list = $('conv-files-list');
  clear(list);
  const files = (c.files || []).filter((f) => f.status !== 'not-here' || f.fromReporter);
  $('conv-files').hidden = files.length === 0;
  for (const f of files) {
    const li = el('li');
    const name = shown(f.name);
    if (f.fromReporter) {
      li.appendChild(el('span', null, tr('attachYouSent', name, size(f.size, state.lang))));
    } else {
      li.appendChild(el('span', null, tr('attachFrom', shown(adviserName(f.adviser)), name, size(f.size, state.lang)) + ' '));
      if (f.status === 'intact') {
        const b = el('button', 'secondary', tr('attachSave', name));
        b.type = 'button';
        b.addEventListener('click', () => save(f));
        li.appendChild(b);
      } else if (f.status === 'incomplete') {
        li.appendChild(el('span', null, tr('attachIncomplete', f.piecesHave, f.pieces)));
      } else if (f.status === 'damaged') {
        li.appendChild(el('span', null, tr('attachCorrupt')));
      }
    }
    list.appendChild(li);
  }
  $('rotate-files').hidden = !files.some((f) => !f.fromReporter);
}

function save(file) {
  const got = state.session.downloadFile(file);
  try {
    download(got.name, got.bytes);
  } finally {
    got.bytes.fill(0);
  }
}

function renderHandover(c) {
  const box = $('handover');
  clear(box);
  const offer = (c.offers || [])[0];
  box.hidden = !offer || c.movedAt !== 0;
  if (box.hidden) return;
  const from = shown(offer.fromName || adviserName(offer.from));
  const to = shown(offer.toName || adviserName(offer.to));
  box.appendChild(el('h3', null, tr('handoverHeading', from, to)));
  if (offer.note) box.appendChild(el('p', 'entry-body', shown(offer.note)));
  box.appendChild(el('p', null, tr('handoverIfAccept', from, to)));
  box.appendChild(el('p', null, tr('handoverIfDecline', from, to)));
  box.appendChild(el('p', 'hint', tr('handoverLater')));
  const actions = el('div', 'actions');
  for (const [key, accept] of [['handoverAccept', true], ['handoverDecline', false]]) {
    const b = el('button', accept ? '' : 'secondary', tr(key));
    b.type = 'button';
    b.id = accept ? 'handover-accept' : 'handover-decline';
    b.addEventListener('click', () => answer(offer, accept, from, to));
    actions.appendChild(b);
  }
  box.appendChild(actions);
}

async function answer(offer, accept, from, to) {
  await busy(async () => {
    await state.session.answerHandover({ offer, accept, onProgress });
    await refresh();
    status(accept ? tr('handoverAccepted', to) : tr('handoverDeclined', from, to));
  });
}

export function renderConversation() {
  const c = state.conversation;
  if (!c) return;
  const moved = c.movedAt !== 0;
  $('conv-moved').hidden = !moved;
  $('conv-moved').textContent = moved ? tr('movedNotice', day(c.movedAt, state.lang)) : '';
  $('conv-summary').textContent = c.messages.length === 0 ? tr('noMessages')
    : c.newReplies > 0 ? trn('newCount', c.newReplies) : tr('noNewReplies');
  renderEntries(c);
  const notes = $('conv-notes');
  clear(notes);
  if (c.truncated) note(notes, tr('historyTruncated'));
  if (c.ignored > 0) note(notes, trn('unverifiedNote', c.ignored));
  renderHandover(c);
  renderFiles(c);
  const whoList = $('conv-who');
  clear(whoList);
  const current = (c.currentReaders || []).map(adviserName).map(shown);
  const earlier = (c.earlierReaders || []).map(adviserName).map(shown);
  if (current.length) note(whoList, tr('whoNext', current.join(', ')));
  if (earlier.length) note(whoList, tr('whoEarlier', earlier.join(', ')));
  note(whoList, tr('whoNobodyElse'));
  $('conv-retention').textContent = tr('retention', state.channel.policy.retentionDays);
  $('reply-form').hidden = moved || c.messages.length === 0;
  $('rotate-go').closest('.rotate').hidden = moved || c.messages.length === 0;
  $('reply-files').hidden = state.channel.policy.maxAttachmentBytes === 0;
  $('reply-files').previousElementSibling.hidden = $('reply-files').hidden;
}

async function reply(event) {
  event.preventDefault();
  await busy(async () => {
    const text = $('reply-text').value;
    const files = await readFiles($('reply-files'));
    try {
      const problem = draftProblem(text, files);
      if (problem) {
        showError(problem);
        return;
      }
      const readers = (state.conversation.currentReaders || []).map(adviserName).map(shown);
      const result = await state.session.reply({ text, files, onProgress });
      $('reply-text').value = '';
      $('reply-files').value = '';
      clear($('reply-files-list'));
      await refresh();
      const extra = (result.withoutOneTime || []).map((id) => ' ' + tr('noPrekeyNote', shown(adviserName(id)))).join('');
      status(tr('sentMessageTo', names(readers, state.lang)) + extra);
    } finally {
      for (const f of files) f.bytes.fill(0);
    }
  });
}

function rotate() {
  askNewCode('rotate', async (newCode, typed) => {
    const done = await busy(async () => {
      try {
        await state.session.rotate({ code: newCode, onProgress });
      } catch (e) {
        if (e instanceof ClientError && e.kind === ERROR.unconfirmed) e.move = true;
        throw e;
      }
      state.session.close();
      state.session = null;
      state.session = await state.channel.open(typed, { onProgress });
      $('confirm-code').value = '';
      await refresh();
      status(tr('rotateDone') + ' ' + tr('rotatePending'));
      return true;
    });
    if (!done) show('s-conversation');
  });
}

export function wireConversation(home) {
  $('check-form').addEventListener('submit', openCode);
  $('check-back').addEventListener('click', home);
  $('conv-refresh').addEventListener('click', () => busy(refresh));
  $('reply-form').addEventListener('submit', reply);
  $('reply-files').addEventListener('change', () => listFiles($('reply-files'), $('reply-files-list')));
  $('rotate-go').addEventListener('click', rotate);
  state.rerender.push(() => {
    if (state.screen === 's-conversation') renderConversation();
  });
}
