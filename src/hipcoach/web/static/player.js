/* hipcoach session player: plays the steps the server laid out (sessions/steps.py).
 *
 * Progressive enhancement: the page lists the exercises and has a plain form to log the
 * session; this script adds the full-screen guided player (countdowns, hold and rest
 * timers, a beep at each change, a wake lock, full screen) and fills the form's "log" field
 * with what was done, in the terminal player's format, including the time each exercise
 * really took (from its start to the next one's, pauses included): the log keeps the time
 * spent, not the time planned. No network calls, no libraries.
 */
(function () {
  "use strict";

  var dataEl = document.getElementById("session-data");
  var startBtn = document.getElementById("start");
  if (!dataEl || !startBtn) return;
  var data = JSON.parse(dataEl.textContent);
  var session = data.session;
  var alts = data.alts || {};
  var items = session.items;
  var steps = session.steps;
  if (!items.length || !steps.length) return;

  var $ = function (id) { return document.getElementById(id); };
  var player = $("player"), nameEl = $("p-name"), dosageEl = $("p-dosage"), imgEl = $("p-img");
  var stepEl = $("p-step"), timerEl = $("p-timer"), cuesEl = $("p-cues"), progressEl = $("p-progress");
  var nextBtn = $("p-next"), pauseBtn = $("p-pause"), repeatBtn = $("p-repeat");
  var skipBtn = $("p-skip"), quitBtn = $("p-quit"), muteBtn = $("p-mute"), fullBtn = $("p-full");
  var form = $("log-form"), logField = $("log-json"), painField = $("pain");

  startBtn.parentNode.hidden = false;

  // --- state ---------------------------------------------------------------------------
  var index = 0;          // current step
  var deadline = 0;       // performance.now() when the countdown ends
  var remaining = 0;      // seconds left (kept while paused)
  var paused = false;
  var running = false;
  var ticker = null;
  var muted = false;
  var audio = null;
  var wakeLock = null;
  var shownItem = -1;
  var logs = items.map(function (it) {
    return { exercise_id: it.exercise_id, name: it.name, status: "not_reached",
             sets_planned: it.sets, sets_done: 0, reps: {}, holds: {}, seconds: 0, repeats: 0,
             elapsed_s: null };
  });
  var spentMs = items.map(function () { return 0; });  // clock time on each exercise
  var itemOn = -1, itemSince = 0;
  var pending = { reps: {}, holds: {}, seconds: 0 };  // the set in progress

  // --- sound: a short WebAudio beep ------------------------------------------------------
  function beep(freq, ms) {
    if (muted) return;
    try {
      if (!audio) {
        var Ctx = window.AudioContext || window.webkitAudioContext;
        if (!Ctx) return;
        audio = new Ctx();
      }
      var osc = audio.createOscillator(), gain = audio.createGain();
      osc.frequency.value = freq || 880;
      gain.gain.setValueAtTime(0.001, audio.currentTime);
      gain.gain.exponentialRampToValueAtTime(0.3, audio.currentTime + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + (ms || 180) / 1000);
      osc.connect(gain); gain.connect(audio.destination);
      osc.start(); osc.stop(audio.currentTime + (ms || 180) / 1000 + 0.05);
    } catch (e) { /* no sound is not an error */ }
  }

  // --- wake lock, where the browser offers it ----------------------------------------------
  function lockScreen() {
    if (!("wakeLock" in navigator) || wakeLock) return;
    navigator.wakeLock.request("screen").then(function (lock) {
      wakeLock = lock;
      lock.addEventListener("release", function () { wakeLock = null; });
    }).catch(function () { /* refused (battery saver, hidden tab): play on */ });
  }
  function unlockScreen() {
    if (wakeLock) { wakeLock.release().catch(function () {}); wakeLock = null; }
  }
  document.addEventListener("visibilitychange", function () {
    if (running && document.visibilityState === "visible") lockScreen();
  });

  // --- drawing -------------------------------------------------------------------------
  function clock(s) {
    s = Math.max(0, Math.ceil(s));
    return s < 60 ? String(s) : Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
  }
  function showItem(i) {
    if (i === shownItem) return;
    shownItem = i;
    var it = items[i];
    progressEl.textContent = "Exercise " + (i + 1) + " of " + items.length;
    nameEl.textContent = it.name;
    dosageEl.textContent = session.dosage[i];
    imgEl.src = "/illustrations/" + encodeURIComponent(it.exercise_id) + ".svg";
    imgEl.alt = alts[it.exercise_id] || "";
    cuesEl.textContent = "";
    (it.cues || []).forEach(function (c) {
      var li = document.createElement("li"); li.textContent = c; cuesEl.appendChild(li);
    });
  }
  function draw() {
    var st = steps[index];
    showItem(st.item);
    stepEl.textContent = (paused ? "Paused — " : "") + st.label;
    if (st.seconds === null) {
      timerEl.textContent = "";
      nextBtn.textContent = "Done — next";
    } else {
      timerEl.textContent = clock(remaining);
      nextBtn.textContent = "Next";
    }
    pauseBtn.textContent = paused ? "Resume" : "Pause";
    pauseBtn.setAttribute("aria-pressed", paused ? "true" : "false");
    player.classList.toggle("paused", paused);
  }

  // --- playing -------------------------------------------------------------------------
  // The clock moves from one exercise to another (-1: the session is over).
  function track(item) {
    var now = performance.now();
    if (itemOn >= 0) spentMs[itemOn] += now - itemSince;
    itemOn = item;
    itemSince = now;
  }
  function enter(i) {
    index = i;
    var st = steps[index];
    if (st.item !== itemOn) track(st.item);
    if (logs[st.item].status === "not_reached") logs[st.item].status = "stopped";
    remaining = st.seconds === null ? 0 : st.seconds;
    deadline = performance.now() + remaining * 1000;
    beep(st.work ? 988 : 660, st.work ? 220 : 140);
    draw();
  }
  function setDone(st) {
    var log = logs[st.item];
    ["reps", "holds"].forEach(function (k) {
      Object.keys(pending[k]).forEach(function (side) {
        log[k][side] = (log[k][side] || 0) + pending[k][side];
      });
    });
    log.seconds += pending.seconds;
    log.sets_done += 1;
    pending = { reps: {}, holds: {}, seconds: 0 };
  }
  // Seconds of the countdown really done (less when Next cut it short).
  function doneSeconds(st) {
    var left = paused ? remaining : (deadline - performance.now()) / 1000;
    return Math.max(0, Math.round(st.seconds - Math.max(0, left)));
  }
  function count(st) {
    if (st.kind === "hold") {
      pending.holds[st.side] = (pending.holds[st.side] || 0) + 1;
      pending.seconds += doneSeconds(st);
    } else if (st.kind === "timed") {
      pending.seconds += doneSeconds(st);
    } else if (st.kind === "reps") {
      pending.reps[st.side] = (pending.reps[st.side] || 0) + st.reps;
    }
  }
  // The current step is over (timer ran out, or Next): count it, then go on.
  function advance() {
    var st = steps[index];
    if (st.work) count(st);
    var nx = steps[index + 1];
    var setOver = st.set > 0 && (!nx || nx.item !== st.item || nx.set !== st.set);
    if (setOver) setDone(st);
    if (!nx || nx.item !== st.item) {
      logs[st.item].status = "done";
      beep(1320, 300);
    }
    if (!nx) { finish(false); return; }
    enter(index + 1);
  }
  function firstOf(item, set) {
    for (var i = 0; i < steps.length; i++) {
      if (steps[i].item === item && (set === null || steps[i].set === set)) return i;
    }
    return -1;
  }
  function skip() {
    var item = steps[index].item;
    logs[item].status = "skipped";
    pending = { reps: {}, holds: {}, seconds: 0 };
    var i = index;
    while (i < steps.length && steps[i].item === item) i++;
    if (i >= steps.length) { finish(false); return; }
    enter(i);
  }
  function repeat() {
    var st = steps[index];
    pending = { reps: {}, holds: {}, seconds: 0 };
    if (st.set === 0) { enter(index); return; }
    logs[st.item].repeats += 1;
    // back to the set's first step after its rest
    var i = firstOf(st.item, st.set);
    if (steps[i].kind === "rest") i += 1;
    enter(i);
  }
  // Leave a pause with the countdown where it stopped (Next, Skip and Repeat resume too).
  function unpause() {
    if (!paused) return;
    paused = false;
    deadline = performance.now() + remaining * 1000;
  }
  function togglePause() {
    if (!running) return;
    paused = !paused;
    if (paused) {
      remaining = Math.max(0, (deadline - performance.now()) / 1000);
    } else {
      deadline = performance.now() + remaining * 1000;
    }
    beep(520, 120);
    draw();
  }
  function tick() {
    if (!running || paused) return;
    var st = steps[index];
    if (st.seconds === null) return;
    var left = (deadline - performance.now()) / 1000;
    if (Math.ceil(left) !== Math.ceil(remaining) && left > 0 && left <= 3) beep(440, 80);
    remaining = Math.max(0, left);
    timerEl.textContent = clock(remaining);
    if (left <= 0) advance();
  }

  // While the player covers the page, the page behind it is out of reach (Tab stays in it).
  function setBehind(off) {
    var behind = document.querySelectorAll("body > *:not(main), main > *:not(#player)");
    Array.prototype.forEach.call(behind, function (el) {
      if (el.tagName === "SCRIPT") return;
      if (off) el.setAttribute("inert", ""); else el.removeAttribute("inert");
    });
  }

  function start() {
    setBehind(true);
    running = true;
    paused = false;
    document.body.classList.add("playing");
    player.hidden = false;
    lockScreen();
    enter(0);
    ticker = window.setInterval(tick, 200);
    nameEl.focus();
  }
  // Quit or the end: close the player, fill in the form and ask for the pain rating.
  function finish(quit) {
    track(-1);
    logs.forEach(function (log, k) {
      log.elapsed_s = spentMs[k] > 0 ? Math.round(spentMs[k] / 1000) : null;
    });
    running = false;
    window.clearInterval(ticker);
    unlockScreen();
    if (document.fullscreenElement && document.exitFullscreen) document.exitFullscreen().catch(function () {});
    player.hidden = true;
    setBehind(false);
    document.body.classList.remove("playing");
    if (quit) {
      var cur = steps[index] ? steps[index].item : -1;
      if (cur >= 0 && logs[cur].status !== "done" && logs[cur].status !== "skipped") logs[cur].status = "stopped";
    }
    logs.forEach(function (log) {
      var box = form.querySelector('input[name="done"][value="' + log.exercise_id + '"]');
      if (box) box.checked = log.status === "done";
    });
    logField.value = JSON.stringify(logs);
    beep(1320, 400);
    painField.focus();
  }

  // --- controls ------------------------------------------------------------------------
  startBtn.addEventListener("click", start);
  nextBtn.addEventListener("click", function () { if (running) { unpause(); advance(); } });
  pauseBtn.addEventListener("click", togglePause);
  repeatBtn.addEventListener("click", function () { if (running) { unpause(); repeat(); } });
  skipBtn.addEventListener("click", function () { if (running) { unpause(); skip(); } });
  quitBtn.addEventListener("click", function () { if (running) finish(true); });
  muteBtn.addEventListener("click", function () {
    muted = !muted;
    muteBtn.setAttribute("aria-pressed", muted ? "true" : "false");
    muteBtn.textContent = muted ? "Sound: off" : "Sound: on";
  });
  if (player.requestFullscreen && document.fullscreenEnabled) {
    fullBtn.hidden = false;
    fullBtn.addEventListener("click", function () {
      if (document.fullscreenElement) document.exitFullscreen().catch(function () {});
      else player.requestFullscreen().catch(function () {});
    });
    document.addEventListener("fullscreenchange", function () {
      fullBtn.textContent = document.fullscreenElement ? "Leave full screen" : "Full screen";
    });
  }
  document.addEventListener("keyup", function (ev) {
    if (running && (ev.key === " " || ev.key === "Spacebar")) ev.preventDefault();
  });
  document.addEventListener("keydown", function (ev) {
    if (!running || ev.altKey || ev.ctrlKey || ev.metaKey) return;
    var onControl = ev.target && /^(BUTTON|INPUT|SELECT|TEXTAREA|A)$/.test(ev.target.tagName);
    if (ev.key === " " || ev.key === "Spacebar") {
      ev.preventDefault(); togglePause();  // Space always pauses, even on a focused button
    } else if (ev.key === "Enter") {
      if (onControl) return;
      ev.preventDefault(); unpause(); advance();
    } else if (ev.key === "ArrowRight") {
      ev.preventDefault(); unpause(); advance();
    } else if (ev.key === "ArrowLeft") {
      ev.preventDefault(); unpause(); repeat();
    } else if (ev.key === "Escape") {
      ev.preventDefault(); finish(true);
    }
  });
})();
