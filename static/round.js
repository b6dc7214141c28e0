// The round page: everything goes through the JSON API; the server's clock decides.
(function () {
  "use strict";

  const app = document.getElementById("round-app");
  if (!app) return;
  const API = app.dataset.api.replace(/\/$/, "");
  // The contest's own routes (its state, starting a round); a round is then reached by its id.
  const CONTEST = "/contests/" + encodeURIComponent(app.dataset.contest);
  const T = JSON.parse(document.getElementById("round-messages").textContent);
  const $ = (id) => document.getElementById(id);
  const fmt = (text, values) => text.replace(/\{(\w+)\}/g, (_, key) => values[key]);

  let csrfToken = null;
  let attempt = null;
  let clockOffsetMs = 0; // server time minus this device's time
  let timer = null;
  let submitting = false;
  let retryDelayMs = 1000;
  let retryTimer = null;
  let warnedAtOneMinute = false;
  const statuses = {}; // question id -> "saving" | "saved" | "retrying" | "failed"
  const inFlight = {}; // question id -> choice id being sent

  function queueKey() {
    return "round-queue-" + attempt.id;
  }
  function loadQueue() {
    try {
      return JSON.parse(localStorage.getItem(queueKey())) || {};
    } catch (error) {
      return {};
    }
  }
  function storeQueue(queue) {
    try {
      localStorage.setItem(queueKey(), JSON.stringify(queue));
    } catch (error) {
      /* private mode: the in-memory queue still works */
    }
  }
  let queue = {}; // question id -> choice id not yet acknowledged by the server

  // Which questions reached the participant's screen: reported to the server as they first
  // appear (a quarter of the question in view, or an answer given), queued like the answers
  // (kept in localStorage while offline) and sent before them, so that a report always lands
  // before the answer to its question. The server keeps the first report of each question.
  let shownQueue = []; // question ids seen, not yet acknowledged by the server
  const shownDone = new Set(); // question ids the server acknowledged (or refused for good)
  let shownTimer = null;
  let shownSending = null; // the report in flight
  let observer = null;
  function shownKey() {
    return "round-shown-" + attempt.id;
  }
  function loadShown() {
    try {
      const stored = JSON.parse(localStorage.getItem(shownKey()));
      return Array.isArray(stored) ? stored : [];
    } catch (error) {
      return [];
    }
  }
  function storeShown() {
    try {
      localStorage.setItem(shownKey(), JSON.stringify(shownQueue));
    } catch (error) {
      /* private mode: the in-memory queue still works */
    }
  }

  async function api(method, path, body) {
    const headers = { Accept: "application/json" };
    if (method !== "GET") headers["X-CSRFToken"] = csrfToken;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(API + path, {
      method,
      headers,
      credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    let data = null;
    try {
      data = await response.json();
    } catch (error) {
      data = null;
    }
    return { status: response.status, data };
  }

  function show(id) {
    for (const section of ["round-loading", "round-start", "round-play"]) {
      $(section).classList.toggle("hidden", section !== id);
    }
  }

  function serverNow() {
    return Date.now() + clockOffsetMs;
  }
  function syncClock(serverTime) {
    if (serverTime) clockOffsetMs = Date.parse(serverTime) - Date.now();
  }

  async function init() {
    try {
      const session = await api("GET", "/session");
      csrfToken = session.data.csrf_token;
      if (!session.data.user) {
        window.location.href = app.dataset.login;
        return;
      }
      const contest = await api("GET", CONTEST);
      syncClock(contest.data.server_time);
      if (contest.data.active_attempt_id) {
        await openAttempt(contest.data.active_attempt_id);
      } else {
        showStart(contest.data);
      }
    } catch (error) {
      $("round-loading").textContent = T.networkError;
      setTimeout(init, 3000);
    }
  }

  // The round's facts and the rounds left are written by the server, before the button.
  function showStart(contest) {
    if (contest.attempts && contest.attempts.left === 0) $("start-button").disabled = true;
    show("round-start");
  }

  async function startRound() {
    $("start-button").disabled = true;
    $("start-error").textContent = "";
    try {
      const reply = await api("POST", CONTEST + "/attempts");
      if (reply.status === 201) {
        begin(reply.data);
      } else if (reply.status === 409 && reply.data.attempt_id) {
        await openAttempt(reply.data.attempt_id);
      } else {
        $("start-error").textContent = reply.data ? reply.data.message : T.networkError;
        $("start-button").disabled = false;
      }
    } catch (error) {
      $("start-error").textContent = T.networkError;
      $("start-button").disabled = false;
    }
  }

  async function openAttempt(id) {
    const reply = await api("GET", "/attempts/" + id);
    if (reply.status !== 200) {
      window.location.href = app.dataset.home;
      return;
    }
    if (reply.data.state !== "active") {
      window.location.href = app.dataset.result + reply.data.id;
      return;
    }
    begin(reply.data);
  }

  function begin(data) {
    attempt = data;
    syncClock(data.server_time);
    queue = loadQueue();
    for (const [questionId, choiceId] of Object.entries(data.answers)) {
      if (queue[questionId] === undefined) statuses[questionId] = "saved";
      else if (queue[questionId] === choiceId) delete queue[questionId];
    }
    storeQueue(queue);
    shownQueue = loadShown();
    // The site menu steps aside while the round runs (the page's own buttons remain).
    document.body.classList.add("playing");
    // A round that starts with a minute or less left has nothing to be warned about.
    warnedAtOneMinute = Date.parse(data.deadline_at) - serverNow() <= 60000;
    renderQuestions(data);
    renderGrid(data);
    show("round-play");
    watchShown();
    tick();
    timer = setInterval(tick, 250);
    flush();
  }

  function renderQuestions(data) {
    const list = $("questions");
    list.replaceChildren();
    for (const question of data.questions) {
      const chosen = queue[question.id] !== undefined ? queue[question.id] : data.answers[question.id];
      if (queue[question.id] !== undefined) statuses[question.id] = "saving";
      const item = document.createElement("li");
      item.className = "question";
      item.dataset.questionId = question.id;
      const fieldset = document.createElement("fieldset");
      const legend = document.createElement("legend");
      const number = document.createElement("span");
      number.className = "question-number";
      number.textContent = fmt(T.question, { n: question.position });
      const text = document.createElement("span");
      text.className = "question-text";
      text.textContent = question.text;
      legend.append(number, text);
      fieldset.append(legend);
      for (const choice of question.choices) {
        const label = document.createElement("label");
        label.className = "choice";
        const input = document.createElement("input");
        input.type = "radio";
        input.name = "q" + question.id;
        input.value = choice.id;
        input.checked = chosen === choice.id;
        input.addEventListener("change", () => choose(question.id, choice.id));
        const span = document.createElement("span");
        span.textContent = choice.text;
        label.append(input, span);
        fieldset.append(label);
      }
      const status = document.createElement("p");
      status.className = "save-status";
      status.setAttribute("aria-live", "polite");
      status.dataset.testid = "save-status";
      fieldset.append(status);
      item.append(fieldset);
      list.append(item);
      paintStatus(question.id);
    }
    paintProgress();
  }

  // Each question reports itself once a quarter of it is on the screen (or when answered).
  function watchShown() {
    if (observer) observer.disconnect();
    const items = document.querySelectorAll("#questions li.question");
    if (!("IntersectionObserver" in window)) {
      for (const item of items) markShown(item.dataset.questionId);
      return;
    }
    observer = new IntersectionObserver(
      (entries) => {
        for (const entry of entries) {
          if (!entry.isIntersecting) continue;
          markShown(entry.target.dataset.questionId);
          observer.unobserve(entry.target);
        }
      },
      { threshold: 0.25 }
    );
    for (const item of items) observer.observe(item);
  }

  function markShown(questionId) {
    const id = Number(questionId);
    if (shownDone.has(id) || shownQueue.includes(id)) return;
    shownQueue.push(id);
    storeShown();
    clearTimeout(shownTimer);
    shownTimer = setTimeout(reportShown, 250); // the questions a scroll brings come in one report
  }

  // Sends the queued reports, 100 at most a request; true when nothing is left to send.
  async function reportShown() {
    clearTimeout(shownTimer);
    while (shownSending) await shownSending;
    if (!shownQueue.length) return true;
    const batch = shownQueue.slice(0, 100);
    shownSending = (async () => {
      try {
        const reply = await api("POST", "/attempts/" + attempt.id + "/shown", { question_ids: batch });
        // 409: the round is over; 404 or 422: never to be accepted. Either way, done.
        return [200, 404, 409, 422].includes(reply.status);
      } catch (error) {
        return false;
      }
    })();
    const sent = await shownSending;
    shownSending = null;
    if (!sent) {
      shownTimer = setTimeout(reportShown, 3000);
      return false;
    }
    for (const id of batch) shownDone.add(id);
    shownQueue = shownQueue.filter((id) => !shownDone.has(id));
    storeShown();
    return shownQueue.length ? reportShown() : true;
  }

  // One button per question: tapping it brings the question into view, below the sticky bar.
  function renderGrid(data) {
    const grid = $("question-grid");
    grid.replaceChildren();
    for (const question of data.questions) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "grid-cell";
      button.dataset.questionId = question.id;
      button.textContent = question.position;
      button.addEventListener("click", () => jumpTo(question.id));
      grid.append(button);
    }
    paintGrid();
  }

  function jumpTo(questionId) {
    const item = document.querySelector('li[data-question-id="' + questionId + '"]');
    const barHeight = document.querySelector(".round-bar").getBoundingClientRect().height;
    window.scrollTo({ top: item.getBoundingClientRect().top + window.scrollY - barHeight - 8 });
    const target = item.querySelector("input:checked") || item.querySelector("input");
    if (target) target.focus({ preventScroll: true });
  }

  function isAnswered(questionId) {
    return queue[questionId] !== undefined || attempt.answers[questionId] !== undefined;
  }

  function paintGrid() {
    for (const cell of document.querySelectorAll("#question-grid .grid-cell")) {
      const done = isAnswered(cell.dataset.questionId);
      cell.classList.toggle("answered", done);
      cell.setAttribute("aria-label", fmt(done ? T.gridAnswered : T.gridUnanswered, { n: cell.textContent }));
    }
  }

  function paintStatus(questionId) {
    const item = document.querySelector('li[data-question-id="' + questionId + '"]');
    if (!item) return;
    const status = statuses[questionId];
    const node = item.querySelector(".save-status");
    node.textContent = status ? T[status] : "";
    node.className = "save-status" + (status ? " status-" + status : "");
  }

  function answeredCount() {
    return attempt.questions.filter((question) => isAnswered(question.id)).length;
  }

  function paintProgress() {
    const done = answeredCount();
    const total = attempt.questions.length;
    $("progress-fill").style.width = (100 * done) / total + "%";
    $("progress-text").textContent = done + "/" + total + " " + T.answered;
    paintGrid();
  }

  function choose(questionId, choiceId) {
    if (submitting) return;
    markShown(questionId); // answered, so on the screen, whatever the observer saw
    queue[questionId] = choiceId;
    storeQueue(queue);
    statuses[questionId] = "saving";
    paintStatus(questionId);
    paintProgress();
    flush();
  }

  async function flush() {
    clearTimeout(retryTimer);
    // Reports first, so that each lands before the answer to its question; none pending: no wait.
    if (shownQueue.length || shownSending) await reportShown();
    // One request per question at a time, so that an older choice never lands after a newer one.
    const pending = Object.entries(queue).filter(([questionId]) => inFlight[questionId] === undefined);
    let networkFailed = false;
    let changedMeanwhile = false;
    await Promise.all(
      pending.map(async ([questionId, choiceId]) => {
        inFlight[questionId] = choiceId;
        try {
          const reply = await api("PUT", "/attempts/" + attempt.id + "/answers/" + questionId, {
            choice_id: choiceId,
          });
          if (reply.status === 200) {
            attempt.answers[questionId] = choiceId;
            if (queue[questionId] === choiceId) {
              delete queue[questionId];
              statuses[questionId] = "saved";
            }
          } else if (reply.status === 409) {
            delete queue[questionId];
            statuses[questionId] = "failed";
            if (!submitting) finish();
          } else if (reply.status === 401) {
            window.location.href = app.dataset.login; // the queue waits in localStorage
          } else if (reply.status === 422 || reply.status === 404) {
            delete queue[questionId];
            statuses[questionId] = "failed";
          } else {
            networkFailed = true;
            statuses[questionId] = "retrying";
          }
        } catch (error) {
          networkFailed = true;
          statuses[questionId] = "retrying";
        } finally {
          delete inFlight[questionId];
          if (queue[questionId] !== undefined && queue[questionId] !== choiceId) changedMeanwhile = true;
          storeQueue(queue);
          paintStatus(questionId);
        }
      })
    );
    $("offline-banner").classList.toggle("hidden", !networkFailed);
    if (networkFailed) {
      retryTimer = setTimeout(flush, retryDelayMs);
      retryDelayMs = Math.min(retryDelayMs * 2, 10000);
    } else {
      retryDelayMs = 1000;
      if (changedMeanwhile) flush();
    }
    paintProgress();
  }

  async function settle(maxWaitMs) {
    const until = Date.now() + maxWaitMs;
    await flush();
    while ((Object.keys(inFlight).length || Object.keys(queue).length) && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      if (!Object.keys(inFlight).length && Object.keys(queue).length) await flush();
    }
  }

  function clockText(seconds) {
    return String(Math.floor(seconds / 60)).padStart(2, "0") + ":" + String(seconds % 60).padStart(2, "0");
  }

  function secondsLeft() {
    return Math.max(0, Math.ceil((Date.parse(attempt.deadline_at) - serverNow()) / 1000));
  }

  function tick() {
    const leftMs = Date.parse(attempt.deadline_at) - serverNow();
    const seconds = secondsLeft();
    const countdown = $("countdown");
    countdown.textContent = clockText(seconds);
    countdown.classList.toggle("urgent", seconds <= 60);
    if (seconds <= 60 && seconds > 0 && !warnedAtOneMinute) {
      warnedAtOneMinute = true;
      $("time-warning").classList.remove("hidden");
      $("time-announcer").textContent = T.oneMinute;
    }
    if (leftMs <= 0 && !submitting) {
      $("submit-error").textContent = T.timeUp;
      finish();
    }
  }

  async function finish() {
    if (submitting) return;
    submitting = true;
    clearInterval(timer);
    $("submit-confirm").classList.add("hidden");
    for (const input of document.querySelectorAll("#questions input")) input.disabled = true;
    $("submit-button").disabled = true;
    $("submit-button").textContent = T.submitting;
    await settle(5000);
    while (true) {
      try {
        const reply = await api("POST", "/attempts/" + attempt.id + "/submit");
        if (reply.status === 200) {
          localStorage.removeItem(queueKey());
          localStorage.removeItem(shownKey());
          window.location.href = app.dataset.result + attempt.id;
          return;
        }
        if (reply.status === 401) {
          window.location.href = app.dataset.login; // the server grades the round anyway
          return;
        }
        $("submit-error").textContent = reply.data ? reply.data.message : T.networkError;
      } catch (error) {
        $("submit-error").textContent = T.networkError;
      }
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }

  $("start-button").addEventListener("click", startRound);
  // With time left, submitting is asked once more, in the page (not the browser's dialog).
  $("submit-button").addEventListener("click", () => {
    const unanswered = attempt.questions.length - answeredCount();
    const text = [fmt(T.confirmTimeLeft, { time: clockText(secondsLeft()) })];
    if (unanswered) text.unshift(fmt(T.confirmUnanswered, { count: unanswered }));
    $("confirm-text").textContent = text.join(" ");
    $("submit-confirm").classList.remove("hidden");
    $("confirm-submit").focus();
  });
  $("confirm-submit").addEventListener("click", finish);
  $("confirm-cancel").addEventListener("click", () => {
    $("submit-confirm").classList.add("hidden");
    $("submit-button").focus();
  });
  window.addEventListener("online", () => attempt && flush());
  init();
})();
