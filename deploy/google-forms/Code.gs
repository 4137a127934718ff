/**
 * Smart City selection — Google Forms connector (ตัวเชื่อมต่อ Google Forms กับระบบรับข้อมูล)
 *
 * Sends every response of this form to the intake API as JSON (answers keyed by question title, with the
 * form's response id, timestamp and edit link), signed with HMAC-SHA256 over `timestamp + "." + body` using
 * the secret kept in this script's properties.
 *
 * Two triggers, both installed by `setup`:
 *   onFormSubmit  sends the response just submitted, at once;
 *   reconcile     every 15 minutes compares the form's responses since the last one intake confirmed (the
 *                 watermark) with what was sent, and sends what is missing, oldest first, within a time
 *                 budget; a long backlog continues by itself a minute later (continueReconcile).
 * A trigger that did not fire, an intake that was down, a quota that ran out: the next reconciliation finds
 * what is missing. Sending again is harmless: intake answers "duplicate" for what it already holds.
 *
 * Script properties (Project Settings > Script properties), see README.md:
 *   INTAKE_URL     e.g. https://intake.example.go.th/v1/forms/reference-form/responses
 *   INTAKE_SECRET  the shared secret the operator gave you (at least 16 characters)
 *   INTAKE_SOURCE  optional: this form's source name, when the operator gave you one
 *   NOTIFY_EMAIL   optional: who gets the digest e-mail (at most one per run) when something needs attention
 *
 * Functions to run from the editor: setup (once), testConnection, reconcile, backfill, retryFailed, showFailed.
 */

var RUN_BUDGET_MS = 4.5 * 60 * 1000;      // Apps Script stops a run at 6 minutes: stop sending in time to save
var SUBMIT_BUDGET_MS = 20 * 1000;         // onFormSubmit: its own response first, then a short catch-up
var HARD_LIMIT_MS = 5.5 * 60 * 1000;      // no retry is started past this point of a run
var RECONCILE_EVERY_MINUTES = 15;
var CONTINUE_AFTER_MS = 60 * 1000;
var SETTLE_MS = 2 * 60 * 1000;            // the watermark stays this far behind now: a response that becomes
                                          // visible a moment after a later one is still found
var LOOKBACK_MS = 1000;                   // whether getResponses(since) includes `since` is not documented
var MAX_ATTEMPTS = 3;
var RETRY_DELAYS_MS = [2000, 5000];       // each retry is signed anew, with a new timestamp
var MAX_WAIT_IN_RUN_MS = 30 * 1000;       // a longer Retry-After ends the run; the next run waits for it
var MAX_FAILED = 100;                     // failure records kept (a short code each, never a reason text)
var MAX_RECENT_CHARS = 6000;              // responses confirmed above the watermark (one value: 9 KB at most)
var SAVE_EVERY = 25;                      // the watermark is saved every so many responses, and at the end
var SUBMIT_LOCK_WAIT_MS = 10 * 1000;
var RETRY_BACKOFF_MS = 15 * 60 * 1000;    // a refused response is tried again after 15 min, 30 min, 1 h ... 24 h
var MAX_BACKOFF_MS = 24 * 60 * 60 * 1000;
var DIGEST_LIST = 20;                     // failures named in a digest e-mail
var BATCH_SIZE = 10;                      // responses posted at once (UrlFetchApp.fetchAll)

var FAILED_PREFIX = 'failed:';
var WATERMARK = 'sync:watermark';
var RECENT = 'sync:recent';
var PROBLEM = 'sync:problem';
var NOTIFIED = 'sync:notified';
var UNREPORTED = 'sync:unreported';
var RESUME_AT = 'sync:resume_at';
var OWN_HANDLERS = ['onFormSubmit', 'reconcile', 'continueReconcile', 'retryFailed', 'backfill'];

/** Run once (and again after the person who ran it leaves): installs both triggers and checks the settings. */
function setup() {
  var settings = settings_();
  var form = FormApp.getActiveForm();
  ScriptApp.getProjectTriggers().forEach(function (trigger) {
    if (OWN_HANDLERS.indexOf(trigger.getHandlerFunction()) !== -1) {
      ScriptApp.deleteTrigger(trigger);
    }
  });
  // An earlier version of this script kept a backfill cursor; the reconciliation's watermark replaces it.
  PropertiesService.getScriptProperties().deleteProperty('backfill:cursor');
  ScriptApp.newTrigger('onFormSubmit').forForm(form).onFormSubmit().create();
  ScriptApp.newTrigger('reconcile').timeBased().everyMinutes(RECONCILE_EVERY_MINUTES).create();
  var owner = '';
  try {
    owner = Session.getEffectiveUser().getEmail();
  } catch (error) {
    owner = '';  // not every account shows its address to a script
  }
  console.log('Connector installed for "' + form.getTitle() + '", sending to ' + settings.url +
              (owner ? '; the triggers run as ' + owner : '') +
              '. The first reconciliation runs within ' + RECONCILE_EVERY_MINUTES + ' minutes (or run reconcile).');
  console.log('ติดตั้งตัวเชื่อมต่อเรียบร้อย: คำตอบทุกรายการจะถูกส่งไปยัง ' + settings.url +
              (owner ? ' ทริกเกอร์ทำงานในนามบัญชี ' + owner : '') +
              ' การตรวจทานครั้งแรกจะเริ่มภายใน ' + RECONCILE_EVERY_MINUTES + ' นาที (หรือเรียกใช้ reconcile)');
}

/** The installable trigger: the response just submitted, sent at once, then a short catch-up. */
function onFormSubmit(e) {
  var response = e && e.response ? e.response : null;
  if (!response) {
    console.error('onFormSubmit was run without a form response: run setup, not this function.');
    return;
  }
  return run_({ budgetMs: SUBMIT_BUDGET_MS, lockWaitMs: SUBMIT_LOCK_WAIT_MS, first: response });
}

/** Every 15 minutes (installed by setup), or by hand: sends what intake has not confirmed yet. */
function reconcile() {
  return run_({ budgetMs: RUN_BUDGET_MS, lockWaitMs: 1000 });
}

/** The one-off trigger a reconciliation leaves when it ran out of time: carries on where it stopped. */
function continueReconcile() {
  return run_({ budgetMs: RUN_BUDGET_MS, lockWaitMs: 1000 });
}

/** Sends the latest response (or says there is none): shows whether the URL and secret are right. */
function testConnection() {
  var form = FormApp.getActiveForm();
  var responses = form.getResponses();
  if (responses.length === 0) {
    console.log('The form has no response yet: submit one test response, then run testConnection again. / ' +
                'แบบฟอร์มยังไม่มีคำตอบ: ส่งคำตอบทดสอบหนึ่งรายการ แล้วเรียกใช้ testConnection อีกครั้ง');
    return null;
  }
  var result = send_(settings_(), responses[responses.length - 1], formShape_(form), Date.now() + 60 * 1000);
  var outcome = classify_(result);
  console.log((outcome === 'confirmed' ? 'OK ' : 'NOT OK ') + result.status + ' ' + result.code + ': ' +
              (result.message || ''));
  return result;
}

/**
 * Sends every response of the form again, oldest first (the watermark starts over). Safe to run any number
 * of times: intake answers "duplicate" for what it already holds. Long forms continue by themselves.
 */
function backfill() {
  var lock = LockService.getScriptLock();
  if (!lock.tryLock(30 * 1000)) {
    console.log('Another run is sending: try again in a few minutes. / มีการส่งอยู่ โปรดลองใหม่ในอีกสักครู่');
    return null;
  }
  try {
    var properties = PropertiesService.getScriptProperties();
    properties.deleteProperty(WATERMARK);
    properties.deleteProperty(RECENT);
  } finally {
    lock.releaseLock();
  }
  return reconcile();
}

/** Makes every response waiting after a refusal due now, and sends (after the operator fixed the cause). */
function retryFailed() {
  var lock = LockService.getScriptLock();
  if (!lock.tryLock(30 * 1000)) {
    console.log('Another run is sending: try again in a few minutes. / มีการส่งอยู่ โปรดลองใหม่ในอีกสักครู่');
    return null;
  }
  try {
    var properties = PropertiesService.getScriptProperties();
    var all = properties.getProperties();
    Object.keys(all).forEach(function (key) {
      if (key.indexOf(FAILED_PREFIX) === 0) {
        var record = parseFailure_(all[key]);
        record.nextAt = 0;
        save_(properties, key, formatFailure_(record));
      }
    });
    properties.deleteProperty(RESUME_AT);
  } finally {
    lock.releaseLock();
  }
  return reconcile();
}

/** Lists the responses waiting to be sent, each with its short code, and the connector's state. */
function showFailed() {
  var all = PropertiesService.getScriptProperties().getProperties();
  var waiting = Object.keys(all).filter(function (key) { return key.indexOf(FAILED_PREFIX) === 0; });
  var watermark = parseWatermark_(all[WATERMARK]);
  console.log('Confirmed by intake up to / intake ยืนยันแล้วถึง: ' +
              (watermark.t ? new Date(watermark.t).toISOString() : '(nothing yet / ยังไม่มี)'));
  if (all[PROBLEM]) {
    var problem = parseProblem_(all[PROBLEM]);
    console.log('Problem / ปัญหา: ' + problem.code + ' — ' + explain_(problem.code).en + ' / ' +
                explain_(problem.code).th);
  }
  if (waiting.length === 0) {
    console.log('Nothing waiting after a refusal. / ไม่มีคำตอบที่ค้างส่ง');
  }
  waiting.forEach(function (key) {
    var record = parseFailure_(all[key]);
    console.log(key.substring(FAILED_PREFIX.length) + ' ' + record.code + ' (attempts: ' + record.attempts + ')');
  });
  return waiting.length;
}

// ---------------------------------------------------------------------------------------------------------
// One run: under the script lock, oldest first, within a time budget.

/**
 * One run of the connector. Every response of the form is, after a run, in exactly one of these states:
 * confirmed by intake (at or below the watermark, or listed in `sync:recent`), waiting after a refusal
 * (a `failed:<id>` record), or above the watermark (found by the next run). The watermark passes a response
 * only once it is in one of the first two states, so nothing is forgotten when a record cannot be written.
 */
function run_(options) {
  var started = Date.now();
  var lock = LockService.getScriptLock();
  if (!lock.tryLock(options.lockWaitMs)) {
    // Another trigger is sending; it, or the next reconciliation, finds this response too.
    console.log('Another run is sending; this one leaves it to that run. / มีการส่งอยู่แล้ว รอบนี้จึงไม่ส่งซ้ำ');
    return null;
  }
  var run = null;
  try {
    run = newRun_(started, options.budgetMs);
    if (run.resumeAt > started) {
      console.log('Intake asked to wait until ' + new Date(run.resumeAt).toISOString() + '. / ระบบขอให้รอก่อนส่ง');
      scheduleContinuation_(run.resumeAt - started);
      return summary_(run);
    }
    if (options.first) {
      sendInOrder_(run, [options.first], false);
    }
    if (!run.stopped) {
      retryDue_(run);
    }
    if (!run.stopped) {
      sendInOrder_(run, missing_(run), true);
    }
    finish_(run);
    return summary_(run);
  } catch (error) {
    if (run) {
      saveWatermark_(run);  // what was confirmed stays confirmed, whatever stopped the run
    }
    throw error;
  } finally {
    lock.releaseLock();
  }
}

function newRun_(started, budgetMs) {
  var properties = PropertiesService.getScriptProperties();
  var all = properties.getProperties();
  var failed = {};
  Object.keys(all).forEach(function (key) {
    if (key.indexOf(FAILED_PREFIX) === 0) {
      failed[key.substring(FAILED_PREFIX.length)] = parseFailure_(all[key]);
    }
  });
  var form = FormApp.getActiveForm();
  return {
    started: started,
    deadline: started + budgetMs,
    hardDeadline: started + HARD_LIMIT_MS,
    settings: settings_(),
    properties: properties,
    form: form,
    shape: formShape_(form),
    watermark: parseWatermark_(all[WATERMARK]),
    savedWatermark: all[WATERMARK] || '',
    recent: parseRecent_(all[RECENT]),
    recentChanged: false,
    failed: failed,
    problem: all[PROBLEM] ? parseProblem_(all[PROBLEM]).code : '',
    notified: all[NOTIFIED] || '',
    unreported: Number(all[UNREPORTED] || 0),
    resumeAt: Number(all[RESUME_AT] || 0),
    storeFull: false,
    failuresFull: false,
    stopped: '',
    more: false,
    probed: false,
    counts: { sent: 0, duplicates: 0, refused: 0, unavailable: 0 },
    sinceSave: 0
  };
}

/** The form's responses above the watermark that are not known as confirmed or refused, oldest first. */
function missing_(run) {
  var since = run.watermark.t ? new Date(run.watermark.t - LOOKBACK_MS) : null;
  var responses = since ? run.form.getResponses(since) : run.form.getResponses();
  var found = [];
  responses.forEach(function (response) {
    var entry = { response: response, t: response.getTimestamp().getTime(), id: response.getId() };
    if (compareKeys_(entry, run.watermark) > 0) {
      found.push(entry);
    }
  });
  found.sort(compareKeys_);
  return found.map(function (entry) { return entry.response; });
}

/**
 * Sends `responses` in the order given, BATCH_SIZE at a time. With `advance`, the watermark follows each
 * response handled (confirmed, or recorded as refused), up to SETTLE_MS before now; a response confirmed
 * above that point is remembered in `sync:recent` so the next run does not send it again.
 */
function sendInOrder_(run, responses, advance) {
  var cap = Date.now() - SETTLE_MS;
  var blocked = false;  // a response could not be settled: the watermark stays before it
  var next = 0;
  while (next < responses.length && !run.stopped) {
    if (Date.now() > run.deadline) {
      run.more = true;
      run.stopped = 'budget';
      break;
    }
    // The first response a run sends goes alone: when intake is down or refuses this sender, one request
    // tells, not a batch of them.
    var size = run.probed ? BATCH_SIZE : 1;
    var chunk = [];
    var pending = [];
    for (; next < responses.length && pending.length < size; next++) {
      var response = responses[next];
      var entry = { response: response, key: { t: response.getTimestamp().getTime(), id: response.getId() } };
      chunk.push(entry);
      if (!isSettled_(run, entry.key)) {
        pending.push(entry);
      }
    }
    var results = pending.length
      ? sendAll_(run.settings, pending.map(function (entry) { return entry.response; }), run.shape, run.hardDeadline)
      : [];
    run.probed = run.probed || pending.length > 0;
    pending.forEach(function (entry, n) { entry.result = results[n]; });
    for (var i = 0; i < chunk.length; i++) {
      var item = chunk[i];
      // Every answer of the batch is kept, also those after one that stops the run: they were sent.
      var outcome = item.result ? settle_(run, item.key, item.result) : 'settled';
      var handled = outcome === 'settled' || outcome === 'confirmed' || outcome === 'recorded';
      if (!advance) {
        if (outcome === 'confirmed') {
          rememberRecent_(run, item.key);
        }
        continue;
      }
      blocked = blocked || !handled;
      if (!blocked && item.key.t <= cap) {
        run.watermark = item.key;
        delete run.recent[item.key.id];
        if (++run.sinceSave >= SAVE_EVERY) {
          saveWatermark_(run);
        }
      } else if (outcome === 'confirmed') {
        rememberRecent_(run, item.key);
      }
    }
  }
}

/** Confirmed before (sync:recent), or refused before and not due again: nothing to send. */
function isSettled_(run, key) {
  if (run.recent[key.id] === key.t) {
    return true;
  }
  var record = run.failed[key.id];
  return Boolean(record && record.t === key.t && record.permanent && record.nextAt > Date.now());
}

/** Retries the responses refused before whose time has come (behind the watermark: no run finds them else). */
function retryDue_(run) {
  var now = Date.now();
  var due = Object.keys(run.failed).filter(function (id) {
    var record = run.failed[id];
    // Behind the watermark no run finds a response by itself; a record without a time (an earlier version
    // of this script) or of a response since deleted is tried once more and then forgotten.
    return compareKeys_({ t: record.t, id: id }, run.watermark) <= 0 && (!record.permanent || record.nextAt <= now);
  });
  due.sort(function (a, b) { return compareKeys_(run.failed[a], run.failed[b]); });
  for (var i = 0; i < due.length && !run.stopped; i++) {
    if (Date.now() > run.deadline) {
      run.more = true;
      run.stopped = 'budget';
      return;
    }
    var response;
    try {
      response = run.form.getResponse(due[i]);
    } catch (error) {
      response = null;
    }
    if (!response) {
      console.warn('Response ' + due[i] + ' no longer exists in the form; forgetting it.');
      forget_(run, due[i]);
      continue;
    }
    var key = { t: response.getTimestamp().getTime(), id: due[i] };
    settle_(run, key, send_(run.settings, response, run.shape, run.hardDeadline));
  }
}

/**
 * Keeps what intake answered about one response: 'confirmed'; 'recorded' (refused for a reason of its own
 * and kept to be tried again); 'unrecorded' (refused, and no room to keep it); or 'stop' (intake unavailable,
 * or refusing this sender: the run ends, and what is left waits above the watermark).
 */
function settle_(run, key, result) {
  var outcome = classify_(result);
  if (outcome === 'confirmed') {
    if (result.duplicate) {
      run.counts.duplicates++;
    } else {
      run.counts.sent++;
      console.log('Response ' + key.id + ' → ' + (result.submissionId || '?') + ' revision ' + (result.revision || '?'));
    }
    if (run.failed[key.id]) {
      forget_(run, key.id);
    }
    if (!run.stopped) {
      run.problem = '';  // intake takes responses again
    }
    return 'confirmed';
  }
  console.warn('Response ' + key.id + ' not sent: ' + result.code);
  if (outcome === 'refused') {
    run.counts.refused++;
    return recordFailure_(run, key, result.code, true) ? 'recorded' : 'unrecorded';
  }
  // Unavailable, paused by Retry-After, or a refusal of this sender (secret, source, URL): every other
  // response would meet the same answer, so the run stops here.
  if (outcome === 'unavailable') {
    run.counts.unavailable++;
  }
  run.problem = outcome === 'unavailable' ? 'unavailable' : result.code;
  recordFailure_(run, key, result.code, false);
  if (result.retryAfterMs > 0) {
    run.resumeAt = Math.max(run.resumeAt, Date.now() + result.retryAfterMs);
  }
  run.stopped = outcome;
  // Intake asked for a pause: the run continues after it. Otherwise the 15-minute trigger tries again (a
  // refusal of this sender needs a person; an intake that does not answer is not asked every minute).
  run.more = run.resumeAt > Date.now();
  return 'stop';
}

/** 'confirmed', 'refused' (this response), 'unavailable' (try later) or 'blocked' (this sender). */
function classify_(result) {
  var status = result.status;
  if (status === 200 || status === 202) {
    return 'confirmed';
  }
  if (status === 0 || status === 429 || status === 408 || status >= 500) {
    return 'unavailable';
  }
  if (status >= 300 && status < 400 || status === 401 || status === 403 || status === 404 || status === 405) {
    return 'blocked';
  }
  return 'refused';  // 400, 413, 422 and other 4xx: this response as it is now
}

/** Keeps a short code for a response not sent; false when there is no room (then it is not passed by). */
function recordFailure_(run, key, code, permanent) {
  var previous = run.failed[key.id];
  var attempts = previous && previous.t === key.t ? previous.attempts + 1 : 1;
  if (!previous && Object.keys(run.failed).length >= MAX_FAILED) {
    run.failuresFull = run.failuresFull || permanent;
    return false;
  }
  var backoff = Math.min(RETRY_BACKOFF_MS * Math.pow(2, attempts - 1), MAX_BACKOFF_MS);
  var record = { t: key.t, code: code, attempts: attempts, permanent: permanent,
                 nextAt: permanent ? Date.now() + backoff : 0 };
  if (!save_(run.properties, FAILED_PREFIX + key.id, formatFailure_(record))) {
    run.storeFull = true;
    return false;
  }
  if (permanent && attempts === 1) {
    run.unreported++;
  }
  run.failed[key.id] = record;
  return true;
}

function forget_(run, id) {
  delete run.failed[id];
  run.properties.deleteProperty(FAILED_PREFIX + id);
}

function rememberRecent_(run, key) {
  run.recent[key.id] = key.t;
  run.recentChanged = true;
  if (JSON.stringify(run.recent).length > MAX_RECENT_CHARS) {
    delete run.recent[key.id];  // no room: the next run sends it again, and intake answers "duplicate"
  }
}

/** Saves where the run stopped, schedules what is left, and sends at most one digest e-mail. */
function finish_(run) {
  saveWatermark_(run);
  var properties = run.properties;
  var now = Date.now();
  Object.keys(run.recent).forEach(function (id) {
    if (compareKeys_({ t: run.recent[id], id: id }, run.watermark) <= 0) {
      delete run.recent[id];
      run.recentChanged = true;
    }
  });
  if (run.recentChanged) {
    if (Object.keys(run.recent).length === 0) {
      properties.deleteProperty(RECENT);
    } else if (!save_(properties, RECENT, JSON.stringify(run.recent))) {
      properties.deleteProperty(RECENT);  // only spares resends: it gives way first when the store is full
    }
  }
  var problem = currentProblem_(run);
  if (problem) {
    var held = properties.getProperty(PROBLEM);
    if (!held || parseProblem_(held).code !== problem) {
      save_(properties, PROBLEM, problem + '|' + now);
    }
  } else {
    properties.deleteProperty(PROBLEM);
  }
  if (run.resumeAt > now) {
    save_(properties, RESUME_AT, String(run.resumeAt));
  } else {
    properties.deleteProperty(RESUME_AT);
  }
  if (run.more) {
    scheduleContinuation_(Math.max(CONTINUE_AFTER_MS, run.resumeAt - now));
  } else {
    removeContinuation_();
  }
  digest_(run, problem);
  console.log('Run done: ' + JSON.stringify(run.counts) + (run.stopped ? ', stopped: ' + run.stopped : '') +
              ', confirmed up to ' + (run.watermark.t ? new Date(run.watermark.t).toISOString() : '-'));
}

function saveWatermark_(run) {
  run.sinceSave = 0;
  if (!run.watermark.t) {
    return;
  }
  var value = run.watermark.t + '|' + run.watermark.id;
  if (value === run.savedWatermark) {
    return;
  }
  if (!save_(run.properties, WATERMARK, value)) {
    // The watermark matters most: what only spares resends gives way to it.
    run.properties.deleteProperty(RECENT);
    run.recent = {};
    if (!save_(run.properties, WATERMARK, value)) {
      run.storeFull = true;
      return;
    }
  }
  run.savedWatermark = value;
}

/**
 * One e-mail per run at most, and only with news: a new problem, a problem gone, or responses refused for
 * the first time. A mail quota used up (MailApp throws) is logged and leaves the news for a later run.
 */
function digest_(run, problem) {
  var to = (run.properties.getProperty('NOTIFY_EMAIL') || '').trim();
  var news = problem !== run.notified || run.unreported > 0;
  if (!news) {
    return;
  }
  if (!to) {
    saveNotified_(run, problem);
    return;
  }
  var all = run.properties.getProperties();
  var waiting = Object.keys(all).filter(function (key) { return key.indexOf(FAILED_PREFIX) === 0; });
  var lines = waiting.slice(0, DIGEST_LIST).map(function (key) {
    return '  ' + key.substring(FAILED_PREFIX.length) + '  ' + parseFailure_(all[key]).code;
  });
  if (waiting.length > DIGEST_LIST) {
    lines.push('  … +' + (waiting.length - DIGEST_LIST));
  }
  var explained = problem ? explain_(problem) : null;
  var subject = problem
    ? 'ตัวเชื่อมต่อแบบฟอร์มต้องได้รับการตรวจสอบ / Form connector needs attention: ' + problem
    : (waiting.length ? 'มีคำตอบที่ระบบไม่รับ / Form responses refused by intake: ' + waiting.length
                      : 'ตัวเชื่อมต่อแบบฟอร์มกลับมาส่งได้ตามปกติ / Form connector is sending again');
  var body = [
    'แบบฟอร์ม / Form: ' + run.form.getTitle(),
    'รอบนี้ / This run: ส่งใหม่ sent ' + run.counts.sent + ', ซ้ำ duplicates ' + run.counts.duplicates +
      ', ไม่รับ refused ' + run.counts.refused,
    '',
    explained ? 'ปัญหา: ' + explained.th : 'ไม่มีปัญหาที่ทำให้หยุดส่ง',
    explained ? 'Problem: ' + explained.en : 'Nothing stops the sending.',
    '',
    'คำตอบที่รอส่ง (รหัสคำตอบ รหัสเหตุผล) / Responses waiting (response id, code): ' + waiting.length,
    lines.join('\n'),
    '',
    'คำตอบที่ยังไม่ได้ส่งจะถูกส่งเองในรอบถัดไป (ทุก ' + RECONCILE_EVERY_MINUTES + ' นาที) ดูรายละเอียดด้วยฟังก์ชัน showFailed',
    'What is not sent yet is sent by the next run (every ' + RECONCILE_EVERY_MINUTES + ' minutes); run showFailed for details.'
  ].join('\n');
  try {
    MailApp.sendEmail(to, subject, body);
  } catch (error) {
    console.warn('The digest e-mail could not be sent (' + String(error).substring(0, 120) + '); a later run tries again.');
    if (run.unreported > 0) {
      save_(run.properties, UNREPORTED, String(run.unreported));  // the news waits for a later run
    }
    return;
  }
  saveNotified_(run, problem);
}

function saveNotified_(run, problem) {
  if (problem) {
    save_(run.properties, NOTIFIED, problem);
  } else {
    run.properties.deleteProperty(NOTIFIED);
  }
  run.properties.deleteProperty(UNREPORTED);
  run.unreported = 0;
}

function summary_(run) {
  return { counts: run.counts, stopped: run.stopped, more: run.more, watermark: run.watermark.t || 0,
           problem: currentProblem_(run) };
}

/** What stops or limits the sending now ('' when nothing does). */
function currentProblem_(run) {
  return run.problem || (run.storeFull ? 'store_full' : (run.failuresFull ? 'failures_full' : ''));
}

// ---------------------------------------------------------------------------------------------------------
// Sending one response

/** One response, signed and posted (see sendAll_). */
function send_(settings, response, shape, hardDeadline) {
  return sendAll_(settings, [response], shape, hardDeadline)[0];
}

/**
 * Responses posted together (UrlFetchApp.fetchAll: a batch costs about one round trip of trigger runtime),
 * each as JSON, signed; what intake could not take now (network error, 429, 5xx, a replayed signature) is
 * sent again, signed anew, after the longest Retry-After of the batch (up to MAX_WAIT_IN_RUN_MS). Each body
 * is turned into UTF-8 bytes once: those bytes are signed and those bytes are sent. Answers in order.
 */
function sendAll_(settings, responses, shape, hardDeadline) {
  var keyBytes = Utilities.newBlob(settings.secret).getBytes();
  var bodies = responses.map(function (response) {
    return Utilities.newBlob(JSON.stringify(buildPayload_(response, shape))).getBytes();
  });
  var results = [];
  var pending = responses.map(function (response, index) { return index; });
  for (var attempt = 1; attempt <= MAX_ATTEMPTS && pending.length; attempt++) {
    var timestamp = String(Math.floor(Date.now() / 1000));
    var requests = pending.map(function (index) { return request_(settings, keyBytes, timestamp, bodies[index]); });
    var answers = null;
    var failure = '';
    try {
      answers = UrlFetchApp.fetchAll(requests);
    } catch (error) {
      // DNS, refused connection, timeout: UrlFetchApp throws even with muteHttpExceptions.
      failure = String(error).substring(0, 200);
    }
    pending.forEach(function (index, n) {
      results[index] = answers ? readAnswer_(answers[n])
                               : { status: 0, code: 'network', message: failure, retryAfterMs: 0 };
    });
    pending = pending.filter(function (index) { return isRetryable_(results[index]); });
    if (!pending.length || attempt === MAX_ATTEMPTS) {
      break;
    }
    var retryAfter = Math.max.apply(null, pending.map(function (index) { return results[index].retryAfterMs; }));
    var wait = Math.max(retryAfter, RETRY_DELAYS_MS[attempt - 1] || 5000);
    if (retryAfter > MAX_WAIT_IN_RUN_MS || Date.now() + wait > hardDeadline) {
      break;  // the run stops; the wait is kept (sync:resume_at) for the next one
    }
    Utilities.sleep(wait);
  }
  return results;
}

/** One signed POST for UrlFetchApp: the bytes given, their signature, an explicit content type. */
function request_(settings, keyBytes, timestamp, body) {
  var headers = {
    'X-Smartcity-Timestamp': timestamp,
    'X-Smartcity-Signature': sign_(keyBytes, timestamp, body)
  };
  if (settings.source) {
    headers['X-Smartcity-Source'] = settings.source;
  }
  return {
    url: settings.url,
    method: 'post',
    contentType: 'application/json; charset=utf-8',
    payload: body,
    headers: headers,
    muteHttpExceptions: true,
    followRedirects: false,
    validateHttpsCertificates: true
  };
}

function isRetryable_(result) {
  return classify_(result) === 'unavailable' || result.code === '401:signature_replayed';
}

/** Status, short code (`422:invalid_submission`), intake's message, and Retry-After in ms (0 without). */
function readAnswer_(answer) {
  var status = answer.getResponseCode();
  var parsed = {};
  try {
    parsed = JSON.parse(answer.getContentText()) || {};
  } catch (error) {
    parsed = {};  // a proxy's HTML page, not intake
  }
  var code = String(status);
  if (status >= 300 && status < 400) {
    code += ':redirect';
  } else if (parsed && typeof parsed.error === 'string') {
    code += ':' + parsed.error.replace(/[^A-Za-z0-9_.-]/g, '').substring(0, 40);
  }
  return {
    status: status,
    code: code,
    message: parsed && typeof parsed.message_en === 'string' ? parsed.message_en.substring(0, 300) : '',
    duplicate: parsed && parsed.duplicate === true,
    submissionId: parsed && parsed.submission_id,
    revision: parsed && parsed.revision,
    retryAfterMs: status === 429 || status === 503 ? retryAfterMs_(headerValue_(answer, 'Retry-After')) : 0
  };
}

/** A response header by name, whatever case the server (or a proxy) wrote it in. */
function headerValue_(answer, name) {
  var headers = (answer.getAllHeaders ? answer.getAllHeaders() : answer.getHeaders()) || {};
  var wanted = name.toLowerCase();
  var keys = Object.keys(headers);
  for (var i = 0; i < keys.length; i++) {
    if (keys[i].toLowerCase() === wanted) {
      var value = headers[keys[i]];
      return Array.isArray(value) ? String(value[0]) : String(value);
    }
  }
  return '';
}

/** Retry-After is seconds (`120`) or an HTTP date; 0 when absent or unreadable. */
function retryAfterMs_(value) {
  var text = String(value || '').trim();
  if (!text) {
    return 0;
  }
  if (/^\d+$/.test(text)) {
    return Number(text) * 1000;
  }
  var at = Date.parse(text);
  return isNaN(at) ? 0 : Math.max(0, at - Date.now());
}

/** What intake's POST /v1/forms/{mapping}/responses takes. */
function buildPayload_(response, shape) {
  var titles = shape.titles;
  var answers = {};
  response.getItemResponses().forEach(function (itemResponse) {
    var item = itemResponse.getItem();
    var title = titles[item.getId()] || item.getTitle();
    answers[title] = answerValue_(item, itemResponse.getResponse());
  });
  var email = '';
  try {
    email = response.getRespondentEmail();
  } catch (error) {
    email = '';  // the form does not collect e-mail addresses
  }
  var payload = {
    response_id: response.getId(),
    timestamp: response.getTimestamp().toISOString(),
    respondent_email: email || null,
    answers: answers
  };
  var editUrl = '';
  if (shape.editable) {
    try {
      editUrl = response.getEditResponseUrl() || '';
    } catch (error) {
      editUrl = '';
    }
  }
  if (editUrl.indexOf('https://') === 0) {
    payload.edit_url = editUrl;  // personal: sent to intake, never written to the log
  }
  return payload;
}

/**
 * What every payload of a run needs from the form, read once: the question titles, and whether respondents
 * may edit their responses (without, an edit link would not work: the notice says how to submit again).
 */
function formShape_(form) {
  var editable = false;
  try {
    editable = form.canEditResponse();
  } catch (error) {
    editable = false;
  }
  return { titles: numberedTitles_(form), editable: editable };
}

/**
 * Question titles as the Sheets export heads its columns: a title used by two questions gets " [2]", " [3]"...
 * in form order, as intake numbers repeated column headers, so one mapping serves both ways in.
 */
function numberedTitles_(form) {
  var seen = {};
  var titles = {};
  form.getItems().forEach(function (item) {
    if (!isQuestion_(item)) {
      return;
    }
    var title = item.getTitle();
    var key = title.replace(/\s+/g, '').toLowerCase();
    seen[key] = (seen[key] || 0) + 1;
    titles[item.getId()] = seen[key] === 1 ? title : title + ' [' + seen[key] + ']';
  });
  return titles;
}

function isQuestion_(item) {
  var type = String(item.getType());
  return ['PAGE_BREAK', 'SECTION_HEADER', 'IMAGE', 'VIDEO'].indexOf(type) === -1;
}

/** Text stays text; checkboxes and grids become lists; uploaded files become the Drive links Sheets shows. */
function answerValue_(item, value) {
  var type = String(item.getType());
  if (type === 'FILE_UPLOAD') {
    return (value || []).map(function (id) { return 'https://drive.google.com/open?id=' + id; });
  }
  if (type === 'CHECKBOX_GRID') {
    return (value || []).map(function (row) { return (row || []).join(', '); });
  }
  if (value === null || value === undefined) {
    return null;
  }
  if (Array.isArray(value)) {
    return value.map(function (part) { return part === null ? '' : String(part); });
  }
  return String(value);
}

/** sha256=<hex of HMAC-SHA256(secret, timestamp + "." + body)>, over exactly the bytes that are sent. */
function sign_(keyBytes, timestamp, body) {
  var message = Utilities.newBlob(timestamp + '.').getBytes().concat(body);
  var bytes = Utilities.computeHmacSha256Signature(message, keyBytes);
  return 'sha256=' + bytes.map(function (b) { return ('0' + (b & 0xff).toString(16)).slice(-2); }).join('');
}

function settings_() {
  var properties = PropertiesService.getScriptProperties();
  var url = (properties.getProperty('INTAKE_URL') || '').trim();
  var secret = (properties.getProperty('INTAKE_SECRET') || '').trim();
  if (url.indexOf('https://') !== 0 && url.indexOf('http://') !== 0) {
    throw new Error('Set the script property INTAKE_URL (Project Settings > Script properties). ' +
                    'ตั้งค่า INTAKE_URL ในคุณสมบัติของสคริปต์ก่อน');
  }
  if (secret.length < 16) {
    throw new Error('Set the script property INTAKE_SECRET to the secret the operator gave you. ' +
                    'ตั้งค่า INTAKE_SECRET เป็นรหัสลับที่ได้รับจากผู้ดูแลระบบ');
  }
  return { url: url, secret: secret, source: (properties.getProperty('INTAKE_SOURCE') || '').trim() };
}

// ---------------------------------------------------------------------------------------------------------
// State kept in the script properties: short values, a bounded number of them.

/** setProperty, false instead of an exception when the store is full (500 KB in all, 9 KB a value). */
function save_(properties, key, value) {
  try {
    properties.setProperty(key, value);
    return true;
  } catch (error) {
    console.warn('Script properties full: ' + key + ' not saved. / พื้นที่เก็บคุณสมบัติของสคริปต์เต็ม');
    return false;
  }
}

/** `<timestamp ms>|<attempts>|<code>|<p or t>|<next attempt ms>`: a short code, never intake's text. */
function formatFailure_(record) {
  return [record.t, record.attempts, record.code, record.permanent ? 'p' : 't', record.nextAt].join('|');
}

function parseFailure_(value) {
  var parts = String(value || '').split('|');
  if (parts.length === 5) {
    return { t: Number(parts[0]), attempts: Number(parts[1]) || 1, code: parts[2], permanent: parts[3] === 'p',
             nextAt: Number(parts[4]) || 0 };
  }
  // A record of an earlier version of this script (JSON with a reason): retried now, then kept short.
  return { t: 0, attempts: 1, code: 'earlier', permanent: true, nextAt: 0 };
}

function parseWatermark_(value) {
  var text = String(value || '');
  var bar = text.indexOf('|');
  if (bar < 1) {
    return { t: 0, id: '' };
  }
  return { t: Number(text.substring(0, bar)) || 0, id: text.substring(bar + 1) };
}

function parseRecent_(value) {
  try {
    var parsed = JSON.parse(value || '{}');
    return parsed && typeof parsed === 'object' ? parsed : {};
  } catch (error) {
    return {};
  }
}

function parseProblem_(value) {
  var parts = String(value || '').split('|');
  return { code: parts[0], since: Number(parts[1]) || 0 };
}

/** Responses in the form's order: by timestamp, then id. */
function compareKeys_(a, b) {
  if (a.t !== b.t) {
    return a.t < b.t ? -1 : 1;
  }
  return a.id === b.id ? 0 : (a.id < b.id ? -1 : 1);
}

/** What a code means, for the digest e-mail and showFailed (README.md explains each answer too). */
function explain_(code) {
  var name = code.indexOf(':') === -1 ? code : code.substring(code.indexOf(':') + 1);
  var texts = {
    unavailable: ['ระบบรับข้อมูลไม่ตอบหรือไม่ว่าง จะส่งใหม่เองในรอบถัดไป',
                  'The intake does not answer or is busy; the next run sends again.'],
    signature_invalid: ['รหัสลับ (INTAKE_SECRET) ไม่ตรงกับที่ผู้ดูแลระบบตั้งไว้',
                        'The secret (INTAKE_SECRET) is not the one the operator configured.'],
    timestamp_expired: ['เวลาที่ลงลายมือชื่อห่างจากนาฬิกาของระบบเกินกำหนด', 'The signing time is too far from the intake\'s clock.'],
    timestamp_invalid: ['ไม่มีเวลาที่ลงลายมือชื่อ', 'The signing time is missing.'],
    auth_missing: ['คำขอไม่มีลายมือชื่อ', 'The request was not signed.'],
    source_not_enabled: ['ผู้ดูแลระบบยังไม่ได้ตั้งรหัสลับให้แบบฟอร์มนี้ (INTAKE_SOURCE)',
                         'The operator has not configured a secret for this form\'s source (INTAKE_SOURCE).'],
    mapping_unknown: ['ที่อยู่ INTAKE_URL มีชื่อไฟล์จับคู่ที่ระบบไม่รู้จัก', 'INTAKE_URL names a mapping the intake does not know.'],
    not_found: ['ที่อยู่ INTAKE_URL ไม่ถูกต้อง', 'INTAKE_URL is not an intake address.'],
    redirect: ['ที่อยู่ INTAKE_URL ถูกส่งต่อไปที่อื่น (เช่น http แทน https หรือหน้าเข้าสู่ระบบ)',
               'INTAKE_URL is redirected elsewhere (http instead of https, or a sign-in page).'],
    body_too_large: ['คำตอบมีขนาดใหญ่เกินที่ระบบรับ', 'The response is larger than the intake takes.'],
    invalid_submission: ['คำตอบมีช่องข้อมูลที่ระบบอ่านไม่ได้', 'The response has fields the intake cannot read.'],
    no_answers: ['คำตอบไม่มีข้อใดที่ระบบรู้จัก (อาจเปลี่ยนชื่อคำถาม)', 'No answer the intake knows (a question may have been renamed).'],
    campaign_unknown: ['ระบบไม่รู้จักรอบการคัดเลือกนี้', 'The intake does not know this campaign.'],
    store_full: ['พื้นที่เก็บสถานะของสคริปต์เต็ม คำตอบที่ยังไม่ได้ส่งจะรอในรอบถัดไป',
                 'The script\'s property store is full; responses not sent wait for a later run.'],
    failures_full: ['มีคำตอบที่ระบบไม่รับค้างอยู่ครบ ' + MAX_FAILED + ' รายการ คำตอบถัดไปจะรอจนกว่าจะแก้ไขรายการเดิม',
                    MAX_FAILED + ' refused responses are waiting; later ones wait until those are dealt with.']
  };
  var found = texts[name] || texts[code];
  return found ? { th: found[0], en: found[1] } : { th: 'รหัส ' + code, en: 'code ' + code };
}

function scheduleContinuation_(afterMs) {
  removeContinuation_();
  ScriptApp.newTrigger('continueReconcile').timeBased().after(Math.max(CONTINUE_AFTER_MS, afterMs)).create();
}

function removeContinuation_() {
  ScriptApp.getProjectTriggers().forEach(function (trigger) {
    if (trigger.getHandlerFunction() === 'continueReconcile') {
      ScriptApp.deleteTrigger(trigger);
    }
  });
}
