'use strict';
/**
 * Google's side of the connector, for tests: Code.gs loaded in a `vm` context with stand-ins for the Apps
 * Script services it calls, on a virtual clock that runs the triggers `setup` installs.
 *
 * The stand-ins keep Google's documented limits where the script must live with them: PropertiesService
 * holds 9 KB a value and 500 KB in all (and throws past that), MailApp throws once its daily quota is used,
 * an execution is stopped after 6 minutes, ScriptApp refuses a 21st trigger. UrlFetchApp makes the real
 * HTTP request (to the real intake), synchronously as in Apps Script: a worker thread does the I/O while
 * the script's thread waits (`Atomics.wait`). Utilities computes the real HMAC-SHA256 over real UTF-8 bytes.
 */
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const crypto = require('node:crypto');
const { Worker, MessageChannel, receiveMessageOnPort } = require('node:worker_threads');

const SCRIPT = path.join(__dirname, '..', 'Code.gs');
const MINUTE = 60 * 1000;
const PROPERTY_VALUE_LIMIT = 9 * 1024;
const PROPERTY_STORE_LIMIT = 500 * 1024;
const EXECUTION_LIMIT_MS = 6 * MINUTE;
const TRIGGER_LIMIT = 20;
const RealDate = Date;

// -- synchronous HTTP through a worker thread ------------------------------------------------------------

let http = null;

function syncHttp() {
  if (http === null) {
    const flag = new Int32Array(new SharedArrayBuffer(4));
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(path.join(__dirname, 'http-worker.js'), {
      workerData: { flag, port: port2 }, transferList: [port2],
    });
    worker.unref();
    port1.unref();
    const call = (message, timeoutMs) => {
      Atomics.store(flag, 0, 0);
      port1.postMessage(message);
      if (Atomics.wait(flag, 0, 0, timeoutMs + 5000) === 'timed-out') {
        throw new Error('the HTTP worker did not answer');
      }
      return receiveMessageOnPort(port1).message;
    };
    http = { call, closedPort: call({ kind: 'closed-port' }, 5000).port };
  }
  return http;
}

function sleepReally(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

// -- bytes as Apps Script hands them out: Java bytes, -128..127 -------------------------------------------

function toJavaBytes(buffer) {
  return Array.from(buffer, (b) => (b > 127 ? b - 256 : b));
}

function toBuffer(value) {
  if (Array.isArray(value)) {
    return Buffer.from(value.map((b) => b & 0xff));
  }
  if (value && typeof value.getBytes === 'function') {
    return toBuffer(value.getBytes());
  }
  return Buffer.from(String(value), 'utf8');
}

// -- the simulation ----------------------------------------------------------------------------------------

class AppsScript {
  /**
   * @param {object} options
   *   properties      the script properties to start with (INTAKE_URL, INTAKE_SECRET, ...)
   *   startAt         the virtual clock's start (ms); intake checks signed timestamps against its own clock
   *   fetchLatencyMs  virtual time one UrlFetch (or fetchAll) takes: a round trip from Google to a Thai server
 *   itemReadMs      virtual time reading one response's answers takes (FormApp calls are not free)
   *   mailQuota       e-mails MailApp sends before it throws (100 a day for a consumer account)
   *   realSleep       Utilities.sleep waits for real (to meet a real Retry-After), not only on the clock
   */
  constructor(options = {}) {
    this.clock = options.startAt || RealDate.now();
    this.fetchLatencyMs = options.fetchLatencyMs ?? 250;
    this.itemReadMs = options.itemReadMs ?? 0;
    this.mailQuota = options.mailQuota ?? 100;
    this.realSleep = Boolean(options.realSleep);
    this.formTitle = options.title || 'แบบรายงานผลการพัฒนาเมืองน่าอยู่อัจฉริยะ';
    this.formId = options.formId || '1FAIpQLSf-test-form';
    this.editable = options.editable ?? true;  // "Allow response editing" in the form's settings
    this.owner = options.owner || 'saraban.chaiyaphum@gmail.com';
    this.items = [];
    this.responses = [];
    this.properties = new Map(Object.entries(options.properties || {}));
    this.propertyWrites = 0;
    this.triggers = [];
    this.triggerCounter = 0;
    this.submitTriggersFire = options.submitTriggersFire ?? true;
    this.intakeDown = false;
    this.fetches = [];
    this.mails = [];
    this.mailAttempts = [];
    this.sleeps = [];
    this.logs = [];
    this.executions = [];
    this.stack = [];
    this.lockHolder = null;
    this.inFlight = 0;
    this.overlaps = 0;
    this.duringFetch = [];
    this.triggerRuntimeMs = 0;
    this.networkMs = 0;  // real time spent waiting for intake's answers
    this.context = vm.createContext(this.services());
    vm.runInContext(fs.readFileSync(SCRIPT, 'utf8'), this.context, { filename: 'Code.gs' });
  }

  // -- the clock and the triggers --------------------------------------------------------------------------

  now() {
    return this.clock;
  }

  /** Lets `ms` of virtual time pass, running every time-driven trigger that falls due on the way. */
  advance(ms) {
    const target = this.clock + ms;
    for (;;) {
      const due = this.triggers.filter((t) => t.kind === 'clock' && t.dueAt <= target)
        .sort((a, b) => a.dueAt - b.dueAt)[0];
      if (!due) {
        break;
      }
      this.clock = Math.max(this.clock, due.dueAt);
      if (due.everyMs) {
        due.dueAt += due.everyMs;
        while (due.dueAt <= this.clock) {
          due.dueAt += due.everyMs;  // a run missed while another ran is not made up for, as in Apps Script
        }
      } else {
        this.triggers = this.triggers.filter((t) => t !== due);
      }
      this.execute(due.handler, { triggerUid: due.id, authMode: 'FULL' }, true);
    }
    this.clock = Math.max(this.clock, target);
  }

  /** Runs the time-driven triggers until none is left but the 15-minute one, or `limitMs` passed. */
  drain(limitMs = 24 * 60 * MINUTE) {
    const end = this.clock + limitMs;
    while (this.clock < end && this.triggers.some((t) => t.kind === 'clock' && !t.everyMs)) {
      const next = Math.min(...this.triggers.filter((t) => t.kind === 'clock').map((t) => t.dueAt));
      this.advance(Math.max(0, next - this.clock));
    }
  }

  /** A function run by hand from the editor. */
  run(name, ...args) {
    return this.execute(name, args[0], false);
  }

  execute(handler, event, byTrigger) {
    const execution = { id: this.executions.length + 1, handler, started: this.clock, byTrigger, error: null,
                        result: undefined };
    this.executions.push(execution);
    this.stack.push(execution);
    try {
      execution.result = this.context[handler](event);
    } catch (error) {
      execution.error = String(error && error.stack ? error.stack : error);
    } finally {
      this.stack.pop();
      if (this.lockHolder === execution.id) {
        this.lockHolder = null;  // Apps Script releases a script's locks when it ends
      }
      execution.ended = this.clock;
      if (byTrigger) {
        this.triggerRuntimeMs += execution.ended - execution.started;
      }
    }
    return execution;
  }

  current() {
    return this.stack[this.stack.length - 1] || { id: 0, started: this.clock };
  }

  /** Every service call of a run that passed 6 minutes throws, as Apps Script stops the run. */
  tick() {
    const execution = this.current();
    if (execution.id && this.clock - execution.started > EXECUTION_LIMIT_MS) {
      throw new Error('Exceeded maximum execution time');
    }
  }

  // -- the form --------------------------------------------------------------------------------------------

  addItem(title, type = 'TEXT') {
    const item = { id: 1000 + this.items.length, title, type };
    this.items.push(item);
    return item;
  }

  /** A municipality submits the form now: the response is stored, and the submit trigger fires (if it does). */
  submit(id, answers, { email = null, fire = this.submitTriggersFire, timestamp = this.clock } = {}) {
    const response = { id, timestamp, answers: { ...answers }, email };
    this.responses.push(response);
    this.fireSubmit(response, fire);
    return response;
  }

  /** The respondent changes the answers with the edit link: same id, a new timestamp. */
  edit(response, answers, { fire = this.submitTriggersFire } = {}) {
    Object.assign(response.answers, answers);
    response.timestamp = this.clock;
    this.fireSubmit(response, fire);
  }

  fireSubmit(response, fire) {
    if (!fire) {
      return;
    }
    for (const trigger of this.triggers.filter((t) => t.kind === 'form')) {
      this.execute(trigger.handler, { response: this.responseObject(response), triggerUid: trigger.id,
                                      authMode: 'FULL' }, true);
    }
  }

  editUrl(response) {
    return `https://docs.google.com/forms/d/e/${this.formId}/viewform?edit2=${encodeURIComponent(response.id)}`;
  }

  responseObject(response) {
    const apps = this;
    return {
      getId: () => { apps.tick(); return response.id; },
      getTimestamp: () => new RealDate(response.timestamp),
      getRespondentEmail: () => response.email || '',
      getEditResponseUrl: () => apps.editUrl(response),
      getItemResponses: () => {
        apps.clock += apps.itemReadMs;  // reading a response's answers is a call to Google's servers too
        return apps.itemResponses(response);
      },
    };
  }

  itemResponses(response) {
    const apps = this;
    return Object.entries(response.answers).map(([title, value]) => {
      const item = apps.items.find((i) => i.title === title) || apps.addItem(title);
      return { getItem: () => apps.itemObject(item), getResponse: () => value };
    });
  }

  itemObject(item) {
    return { getId: () => item.id, getTitle: () => item.title, getType: () => item.type };
  }

  // -- what the script sees ----------------------------------------------------------------------------------

  services() {
    const apps = this;
    class VirtualDate extends RealDate {
      constructor(...args) {
        if (args.length === 0) {
          super(apps.clock);
        } else {
          super(...args);
        }
      }

      static now() {
        return apps.clock;
      }
    }
    const log = (level) => (...parts) => apps.logs.push(`${level} ${parts.map(String).join(' ')}`);
    const form = {
      getTitle: () => apps.formTitle,
      getId: () => apps.formId,
      canEditResponse: () => apps.editable,
      getItems: () => { apps.tick(); return apps.items.map((item) => apps.itemObject(item)); },
      getResponses: (since) => {
        apps.tick();
        const after = since === undefined ? -Infinity : since.getTime();
        return apps.responses.filter((r) => r.timestamp > after).sort((a, b) => a.timestamp - b.timestamp)
          .map((r) => apps.responseObject(r));
      },
      getResponse: (id) => {
        apps.tick();
        const found = apps.responses.find((r) => r.id === id);
        if (!found) {
          throw new Error(`Invalid argument: id`);
        }
        return apps.responseObject(found);
      },
    };
    const store = {
      getProperty: (key) => (apps.properties.has(key) ? apps.properties.get(key) : null),
      getProperties: () => Object.fromEntries(apps.properties),
      getKeys: () => [...apps.properties.keys()],
      setProperty: (key, value) => { apps.setProperty(key, String(value)); return store; },
      setProperties: (values) => { Object.entries(values).forEach(([k, v]) => apps.setProperty(k, String(v))); return store; },
      deleteProperty: (key) => { apps.tick(); apps.properties.delete(key); return store; },
      deleteAllProperties: () => { apps.properties.clear(); return store; },
    };
    return {
      console: { log: log('INFO'), info: log('INFO'), warn: log('WARN'), error: log('ERROR') },
      Date: VirtualDate,
      FormApp: { getActiveForm: () => form },
      PropertiesService: { getScriptProperties: () => store },
      UrlFetchApp: {
        fetch: (url, params) => apps.fetch(url, params || {}),
        fetchAll: (requests) => apps.fetchAll(requests),
      },
      MailApp: {
        sendEmail: (to, subject, body) => apps.sendEmail(to, subject, body),
        getRemainingDailyQuota: () => Math.max(0, apps.mailQuota - apps.mails.length),
      },
      LockService: { getScriptLock: () => apps.lock() },
      Utilities: {
        Charset: { UTF_8: 'UTF_8' },
        newBlob: (data) => {
          const bytes = toBuffer(data);
          return { getBytes: () => toJavaBytes(bytes), getDataAsString: () => bytes.toString('utf8') };
        },
        computeHmacSha256Signature: (value, key) => toJavaBytes(
          crypto.createHmac('sha256', toBuffer(key)).update(toBuffer(value)).digest()),
        sleep: (ms) => apps.sleep(ms),
      },
      ScriptApp: {
        getProjectTriggers: () => apps.triggers.map((t) => apps.triggerObject(t)),
        deleteTrigger: (trigger) => { apps.triggers = apps.triggers.filter((t) => t.id !== trigger.getUniqueId()); },
        newTrigger: (handler) => apps.triggerBuilder(handler),
      },
      Session: {
        getEffectiveUser: () => ({ getEmail: () => apps.owner }),
        getActiveUser: () => ({ getEmail: () => apps.owner }),
        getScriptTimeZone: () => 'Asia/Bangkok',
      },
    };
  }

  setProperty(key, value) {
    this.tick();
    const size = (k, v) => Buffer.byteLength(k, 'utf8') + Buffer.byteLength(v, 'utf8');
    if (Buffer.byteLength(value, 'utf8') > PROPERTY_VALUE_LIMIT) {
      throw new Error('Argument too large: value');
    }
    let total = 0;
    for (const [k, v] of this.properties) {
      total += k === key ? 0 : size(k, v);
    }
    if (total + size(key, value) > PROPERTY_STORE_LIMIT) {
      throw new Error('You have exceeded the property storage quota. Please remove some properties and try again.');
    }
    this.properties.set(key, value);
    this.propertyWrites++;
  }

  propertyBytes() {
    let total = 0;
    for (const [k, v] of this.properties) {
      total += Buffer.byteLength(k, 'utf8') + Buffer.byteLength(v, 'utf8');
    }
    return total;
  }

  sendEmail(to, subject, body) {
    this.tick();
    this.mailAttempts.push({ at: this.clock, execution: this.current().id });
    if (this.mails.length >= this.mailQuota) {
      throw new Error('Service invoked too many times for one day: email.');
    }
    this.mails.push({ to, subject, body, at: this.clock, execution: this.current().id });
  }

  sleep(ms) {
    this.tick();
    this.sleeps.push(ms);
    if (this.realSleep) {
      sleepReally(ms);
    }
    this.clock += ms;
  }

  lock() {
    const apps = this;
    const owner = this.current().id;
    const take = (ms) => {
      if (apps.lockHolder === null || apps.lockHolder === owner) {
        apps.lockHolder = owner;
        return true;
      }
      apps.clock += ms;  // waited in vain: the other execution still holds it
      return false;
    };
    return {
      tryLock: take,
      waitLock: (ms) => {
        if (!take(ms)) {
          throw new Error('Lock timeout: another process was holding the lock for too long.');
        }
      },
      releaseLock: () => { if (apps.lockHolder === owner) { apps.lockHolder = null; } },
      hasLock: () => apps.lockHolder === owner,
    };
  }

  triggerObject(trigger) {
    return {
      getUniqueId: () => trigger.id,
      getHandlerFunction: () => trigger.handler,
      getEventType: () => (trigger.kind === 'form' ? 'ON_FORM_SUBMIT' : 'CLOCK'),
    };
  }

  triggerBuilder(handler) {
    const apps = this;
    const create = (fields) => () => {
      if (apps.triggers.length >= TRIGGER_LIMIT) {
        throw new Error('This script has too many triggers. Triggers must be deleted from the script before more can be added.');
      }
      const trigger = { id: String(++apps.triggerCounter), handler, ...fields };
      apps.triggers.push(trigger);
      return apps.triggerObject(trigger);
    };
    return {
      forForm: () => ({ onFormSubmit: () => ({ create: create({ kind: 'form' }) }) }),
      timeBased: () => ({
        everyMinutes: (n) => {
          if (![1, 5, 10, 15, 30].includes(n)) {
            throw new Error('The value passed to everyMinutes must be 1, 5, 10, 15 or 30.');
          }
          return { create: create({ kind: 'clock', everyMs: n * MINUTE, dueAt: apps.clock + n * MINUTE }) };
        },
        after: (ms) => ({ create: create({ kind: 'clock', everyMs: 0, dueAt: apps.clock + ms }) }),
      }),
    };
  }

  /** UrlFetchApp.fetch: the real request to the real intake (or, while it is down, to a port nobody answers). */
  fetch(url, params) {
    return this.fetchAll([{ ...params, url }], params.muteHttpExceptions)[0];
  }

  /** UrlFetchApp.fetchAll: the requests sent together; a network error of any of them throws for all. */
  fetchAll(requests) {
    this.tick();
    const execution = this.current();
    const http = syncHttp();
    const records = requests.map((params) => {
      const body = toBuffer(params.payload === undefined ? '' : params.payload);
      return {
        record: { at: this.clock, execution: execution.id, handler: execution.handler, url: params.url,
                  contentType: params.contentType, payloadIsBytes: Array.isArray(params.payload),
                  headers: { ...(params.headers || {}) }, followRedirects: params.followRedirects,
                  body: safeJson(body.toString('utf8')) },
        request: { url: this.intakeDown ? this.unreachable(params.url, http) : params.url,
                   method: String(params.method || 'get').toUpperCase(),
                   headers: { ...(params.headers || {}), 'Content-Type': params.contentType },
                   body: body.toString('base64'), timeoutMs: 30000 },
        mute: params.muteHttpExceptions,
      };
    });
    this.inFlight++;
    if (this.inFlight > 1) {
      this.overlaps++;
    }
    try {
      this.duringFetch.splice(0).forEach((hook) => hook());  // another trigger firing while these requests wait
      const sent = process.hrtime.bigint();
      const { answers } = http.call({ kind: 'many', requests: records.map((r) => r.request) }, 30000);
      this.networkMs += Number(process.hrtime.bigint() - sent) / 1e6;
      this.clock += this.fetchLatencyMs;
      const failed = answers.findIndex((answer) => answer.error);
      records.forEach(({ record }, i) => {
        const answer = answers[i];
        if (answer.error) {
          record.error = answer.error;
        } else {
          record.status = answer.status;
          record.answer = safeJson(Buffer.from(answer.body, 'base64').toString('utf8'));
          record.responseHeaders = answer.headers;
        }
        this.fetches.push(record);
      });
      if (failed !== -1) {
        throw new Error(`Address unavailable: ${requests[failed].url}`);
      }
      return answers.map((answer, i) => {
        if (!records[i].mute && answer.status >= 400) {
          throw new Error(`Request failed for ${requests[i].url} returned code ${answer.status}`);
        }
        const content = Buffer.from(answer.body, 'base64');
        return {
          getResponseCode: () => answer.status,
          getContentText: () => content.toString('utf8'),
          getContent: () => toJavaBytes(content),
          getAllHeaders: () => ({ ...answer.headers }),
          getHeaders: () => ({ ...answer.headers }),
        };
      });
    } finally {
      this.inFlight--;
    }
  }

  unreachable(url, http) {
    const parsed = new URL(url);
    parsed.host = `127.0.0.1:${http.closedPort}`;
    return parsed.toString();
  }

  // -- what the tests read -----------------------------------------------------------------------------------

  /** Intake's answers per response id: [status, ...] in the order they came. */
  answersById() {
    const byId = new Map();
    for (const fetch of this.fetches) {
      const id = fetch.body && fetch.body.response_id;
      if (!byId.has(id)) {
        byId.set(id, []);
      }
      byId.get(id).push(fetch.error ? 0 : fetch.status);
    }
    return byId;
  }

  failedExecutions() {
    return this.executions.filter((e) => e.error);
  }

  failureRecords() {
    return [...this.properties.keys()].filter((k) => k.startsWith('failed:'));
  }
}

function safeJson(text) {
  try {
    return JSON.parse(text);
  } catch (error) {
    return null;
  }
}

/** A plain synchronous request, for the tests' own look at intake (GET /v1/submissions/...). */
function request(method, url, headers = {}, body = '') {
  const answer = syncHttp().call({ url, method, headers, body: Buffer.from(body).toString('base64'),
                                   timeoutMs: 30000 }, 30000);
  if (answer.error) {
    throw new Error(`${method} ${url}: ${answer.error}`);
  }
  return { status: answer.status, body: safeJson(Buffer.from(answer.body, 'base64').toString('utf8')) };
}

module.exports = { AppsScript, MINUTE, PROPERTY_STORE_LIMIT, PROPERTY_VALUE_LIMIT, request };
