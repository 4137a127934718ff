/**
 * Smart City selection — Google Forms connector (ตัวเชื่อมต่อ Google Forms กับระบบรับข้อมูล)
 *
 * Sends every response of this form to the intake API as JSON (answers keyed by question title, with the
 * form's response id and timestamp), signed with HMAC-SHA256 over `timestamp + "." + body` using the secret
 * kept in this script's properties. Failed posts are retried, and kept for `retryFailed` (every 15 minutes)
 * when they still fail; `backfill` re-sends every response (safe: intake recognises what it already has).
 *
 * Script properties (Project Settings > Script properties), see README.md:
 *   INTAKE_URL     e.g. https://intake.example.go.th/v1/forms/reference-form/responses
 *   INTAKE_SECRET  the shared secret the operator gave you (at least 16 characters)
 *   INTAKE_SOURCE  optional: this form's source name, when the operator gave you one
 *   NOTIFY_EMAIL   optional: who is told by e-mail when a response could not be sent
 *
 * Functions to run from the editor: setup (once), testConnection, backfill, retryFailed, showFailed.
 */

var MAX_ATTEMPTS = 3;
var RETRY_DELAYS_MS = [2000, 5000];          // each retry is signed anew, with a new timestamp
var BACKFILL_BUDGET_MS = 4.5 * 60 * 1000;     // Apps Script stops a run after 6 minutes
var FAILED_PREFIX = 'failed:';
var BACKFILL_CURSOR = 'backfill:cursor';

/** Run once: installs the on-form-submit trigger and the retry timer, and checks the settings. */
function setup() {
  var settings = settings_();
  var form = FormApp.getActiveForm();
  ScriptApp.getProjectTriggers().forEach(function (trigger) {
    var handler = trigger.getHandlerFunction();
    if (handler === 'onFormSubmit' || handler === 'retryFailed') {
      ScriptApp.deleteTrigger(trigger);
    }
  });
  ScriptApp.newTrigger('onFormSubmit').forForm(form).onFormSubmit().create();
  ScriptApp.newTrigger('retryFailed').timeBased().everyMinutes(15).create();
  console.log('Connector installed for "' + form.getTitle() + '", sending to ' + settings.url);
  console.log('ติดตั้งตัวเชื่อมต่อเรียบร้อย: คำตอบใหม่ทุกรายการจะถูกส่งไปยัง ' + settings.url);
}

/** The installable trigger: one response, sent as it is submitted. */
function onFormSubmit(e) {
  var response = e && e.response ? e.response : null;
  if (!response) {
    console.error('onFormSubmit was run without a form response: run setup, not this function.');
    return;
  }
  deliver_(response);
}

/** Sends the latest response (or says there is none): shows whether the URL and secret are right. */
function testConnection() {
  var responses = FormApp.getActiveForm().getResponses();
  if (responses.length === 0) {
    console.log('The form has no response yet: submit one test response, then run testConnection again.');
    return;
  }
  var result = send_(responses[responses.length - 1]);
  console.log((isAccepted_(result.status) ? 'OK ' : 'NOT OK ') + result.status + ': ' + result.text);
}

/**
 * Re-sends every response of the form, oldest first. Safe to run any number of times: intake answers
 * "duplicate" for what it already holds. Long forms continue by themselves in a new run a minute later.
 */
function backfill() {
  var properties = PropertiesService.getScriptProperties();
  var started = Date.now();
  var responses = FormApp.getActiveForm().getResponses();
  var index = Number(properties.getProperty(BACKFILL_CURSOR) || 0);
  var counts = { sent: 0, duplicates: 0, failed: 0 };
  for (; index < responses.length; index++) {
    if (Date.now() - started > BACKFILL_BUDGET_MS) {
      properties.setProperty(BACKFILL_CURSOR, String(index));
      scheduleContinuation_();
      console.log('Backfill paused at ' + index + '/' + responses.length + ' (continues in a minute): ' +
                  JSON.stringify(counts));
      return counts;
    }
    var result = deliver_(responses[index]);
    if (result.status === 200) {
      counts.duplicates++;
    } else if (result.status === 202) {
      counts.sent++;
    } else {
      counts.failed++;
    }
  }
  properties.deleteProperty(BACKFILL_CURSOR);
  removeContinuation_();
  console.log('Backfill done: ' + responses.length + ' responses, ' + JSON.stringify(counts));
  return counts;
}

/** Every 15 minutes (installed by setup): sends again what could not be sent. */
function retryFailed() {
  var properties = PropertiesService.getScriptProperties();
  var form = FormApp.getActiveForm();
  var keys = properties.getKeys().filter(function (key) { return key.indexOf(FAILED_PREFIX) === 0; });
  keys.forEach(function (key) {
    var id = key.substring(FAILED_PREFIX.length);
    var response;
    try {
      response = form.getResponse(id);
    } catch (error) {
      console.warn('Response ' + id + ' no longer exists in the form; forgetting it.');
      properties.deleteProperty(key);
      return;
    }
    deliver_(response);
  });
}

/** Lists the responses waiting to be sent again, with the last reason. */
function showFailed() {
  var properties = PropertiesService.getScriptProperties().getProperties();
  var waiting = Object.keys(properties).filter(function (key) { return key.indexOf(FAILED_PREFIX) === 0; });
  if (waiting.length === 0) {
    console.log('Nothing waiting: every response was sent. / ส่งครบทุกคำตอบแล้ว');
  }
  waiting.forEach(function (key) { console.log(key.substring(FAILED_PREFIX.length) + ' ' + properties[key]); });
}

// ---------------------------------------------------------------------------------------------------------

/** Sends one response; remembers it for retryFailed when it could not be sent, forgets it once it was. */
function deliver_(response) {
  var properties = PropertiesService.getScriptProperties();
  var key = FAILED_PREFIX + response.getId();
  var result = send_(response);
  if (isAccepted_(result.status)) {
    properties.deleteProperty(key);
    return result;
  }
  var previous = JSON.parse(properties.getProperty(key) || '{"attempts":0}');
  var record = { attempts: previous.attempts + 1, status: result.status, reason: result.text.substring(0, 500),
                 at: new Date().toISOString() };
  properties.setProperty(key, JSON.stringify(record));
  console.error('Response ' + response.getId() + ' not sent (' + result.status + '): ' + result.text);
  notify_(response.getId(), record);
  return result;
}

/** One response as JSON, signed, posted; retried on network errors, 429 and 5xx. */
function send_(response) {
  var settings = settings_();
  var body = JSON.stringify(buildPayload_(response));
  var result = { status: 0, text: '' };
  for (var attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    var timestamp = String(Math.floor(Date.now() / 1000));
    var headers = {
      'X-Smartcity-Timestamp': timestamp,
      'X-Smartcity-Signature': sign_(settings.secret, timestamp, body)
    };
    if (settings.source) {
      headers['X-Smartcity-Source'] = settings.source;
    }
    var retryAfterMs = 0;
    try {
      var answer = UrlFetchApp.fetch(settings.url, {
        method: 'post',
        contentType: 'application/json; charset=utf-8',
        payload: body,
        headers: headers,
        muteHttpExceptions: true,
        followRedirects: false
      });
      result = { status: answer.getResponseCode(), text: answer.getContentText() };
      var retryAfter = (answer.getHeaders() || {})['Retry-After'];
      retryAfterMs = retryAfter ? Number(retryAfter) * 1000 : 0;
    } catch (error) {
      result = { status: 0, text: String(error) };
    }
    if (isAccepted_(result.status) || !isRetryable_(result.status) || attempt === MAX_ATTEMPTS) {
      return result;
    }
    Utilities.sleep(Math.max(retryAfterMs, RETRY_DELAYS_MS[attempt - 1] || 5000));
  }
  return result;
}

/** What intake's POST /v1/forms/{mapping}/responses takes. */
function buildPayload_(response) {
  var titles = numberedTitles_(FormApp.getActiveForm());
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
  return {
    response_id: response.getId(),
    timestamp: response.getTimestamp().toISOString(),
    respondent_email: email || null,
    answers: answers
  };
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

/** sha256=<hex of HMAC-SHA256(secret, timestamp + "." + body)>, over the UTF-8 bytes of the text. */
function sign_(secret, timestamp, body) {
  var bytes = Utilities.computeHmacSha256Signature(timestamp + '.' + body, secret, Utilities.Charset.UTF_8);
  return 'sha256=' + bytes.map(function (b) { return ('0' + (b & 0xff).toString(16)).slice(-2); }).join('');
}

function isAccepted_(status) {
  return status === 200 || status === 202;
}

function isRetryable_(status) {
  return status === 0 || status === 429 || status >= 500;
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

function notify_(responseId, record) {
  var to = (PropertiesService.getScriptProperties().getProperty('NOTIFY_EMAIL') || '').trim();
  if (!to || record.attempts > 1) {
    return;  // one e-mail per response, not one every 15 minutes
  }
  MailApp.sendEmail(to, 'ส่งคำตอบแบบฟอร์มไปยังระบบไม่สำเร็จ / A form response could not be sent',
                    'Response ' + responseId + ': ' + record.status + ' ' + record.reason + '\n\n' +
                    'It is sent again every 15 minutes (retryFailed). Run showFailed to see what waits.\n' +
                    'ระบบจะลองส่งใหม่ทุก 15 นาที ดูรายการที่ยังค้างได้ด้วยฟังก์ชัน showFailed');
}

function scheduleContinuation_() {
  removeContinuation_();
  ScriptApp.newTrigger('backfill').timeBased().after(60 * 1000).create();
}

function removeContinuation_() {
  ScriptApp.getProjectTriggers().forEach(function (trigger) {
    if (trigger.getHandlerFunction() === 'backfill') {
      ScriptApp.deleteTrigger(trigger);
    }
  });
}
