// The check-in page at the door (templates/registrations/checkin.html). Without this script
// the page works as a plain form: type the reference, press "Check in". With it:
// - the camera scans badges (the browser's BarcodeDetector, else the vendored jsQR);
// - the device keeps the event's list of confirmed badges' signed codes, so that when the
//   network drops, scans are checked against it, kept in localStorage and sent when the
//   network is back; the server's answers (repeats made on other devices included) are
//   then listed on the page;
// - whatever it keeps is deleted when the list is refused (403: signed out, or no longer
//   check-in staff); signing out also clears it (Clear-Site-Data on the log-out response).
(function () {
  "use strict";

  var root = document.getElementById("checkin");
  var form = document.getElementById("checkin-form");
  if (!root || !form) {
    return;
  }
  var text = function (name) { return root.getAttribute("data-text-" + name) || ""; };
  var prefix = "emn-checkin:" + root.getAttribute("data-event") + ":";
  var listKey = prefix + "list";
  var queueKey = prefix + "queue";
  var seenKey = prefix + "seen";
  var codeField = form.querySelector("[name=code]");
  var sessionField = form.querySelector("[name=session]");
  var deviceField = form.querySelector("[name=device]");
  var answerBox = document.getElementById("checkin-answer");
  var offlineBox = document.getElementById("checkin-offline");
  var offlineStatus = document.getElementById("checkin-offline-status");
  var report = document.getElementById("checkin-offline-report");
  var syncing = false;

  function read(key, fallback) {
    try {
      var value = window.localStorage.getItem(key);
      return value ? JSON.parse(value) : fallback;
    } catch (error) {
      return fallback;
    }
  }

  function write(key, value) {
    try {
      window.localStorage.setItem(key, JSON.stringify(value));
    } catch (error) {
      // Storage full or refused: the page still works online.
    }
  }

  function forget() {
    var doomed = [];
    for (var i = 0; i < window.localStorage.length; i++) {
      var key = window.localStorage.key(i);
      if (key && key.indexOf("emn-checkin:") === 0) {
        doomed.push(key);
      }
    }
    doomed.forEach(function (key) { window.localStorage.removeItem(key); });
  }

  function randomId() {
    if (window.crypto && window.crypto.randomUUID) {
      return window.crypto.randomUUID();
    }
    // Plain http outside localhost has no randomUUID: a version 4 UUID from getRandomValues.
    var bytes = window.crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20),
      hex.slice(20)].join("-");
  }

  // The device's name, recorded with each check-in it makes.
  var device = read("emn-checkin:device", null);
  if (!device) {
    device = "device-" + randomId().slice(0, 8);
    write("emn-checkin:device", device);
  }
  if (deviceField) {
    deviceField.value = device;
  }

  function setCount(id, value) {
    var element = document.getElementById(id);
    if (element && value !== undefined) {
      element.textContent = String(value);
    }
  }

  function showCounts(counts) {
    setCount("checkin-expected", counts.expected);
    setCount("checkin-checked-in", counts.checked_in);
    Object.keys(counts.sessions || {}).forEach(function (session) {
      var cell = root.querySelector('[data-session-count="' + session + '"]');
      if (cell) {
        cell.textContent = String(counts.sessions[session]);
      }
    });
  }

  function showQueue() {
    var queue = read(queueKey, []);
    var offline = !navigator.onLine;
    offlineBox.hidden = !(offline || queue.length || report.children.length);
    var parts = [];
    if (offline) {
      parts.push(text("offline"));
    }
    if (queue.length) {
      parts.push(text("waiting") + " " + queue.length);
    }
    offlineStatus.textContent = parts.join(" ");
  }

  function fetchList() {
    if (!navigator.onLine) {
      return Promise.resolve();
    }
    return fetch(root.getAttribute("data-list-url"), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    }).then(function (response) {
      if (response.status === 403) {
        forget();
        return null;
      }
      return response.ok ? response.json() : null;
    }).then(function (list) {
      if (list) {
        write(listKey, list);
        showCounts(list.counts);
      }
    }).catch(function () { /* offline: keep the list kept before */ });
  }

  function sync() {
    var queue = read(queueKey, []);
    if (syncing || !queue.length || !navigator.onLine) {
      showQueue();
      return Promise.resolve();
    }
    syncing = true;
    var batch = queue.slice(0, 500);
    var csrf = form.querySelector("[name=csrfmiddlewaretoken]").value;
    return fetch(root.getAttribute("data-sync-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ device: device, scans: batch }),
    }).then(function (response) {
      if (response.status === 403) {
        forget();
        return null;
      }
      return response.ok ? response.json() : null;
    }).then(function (answer) {
      if (!answer) {
        return;
      }
      var sent = {};
      answer.results.forEach(function (result) {
        sent[result.id] = true;
        var item = document.createElement("li");
        item.className = "checkin-report__" + result.outcome;
        item.textContent = (result.name ? result.name + ": " : "") + result.message;
        report.appendChild(item);
      });
      write(queueKey, read(queueKey, []).filter(function (scan) { return !sent[scan.id]; }));
      document.getElementById("checkin-offline-sent").hidden = false;
      return fetchList();
    }).catch(function () { /* still offline: try again when the network is back */ })
      .then(function () {
        syncing = false;
        showQueue();
      });
  }

  function showLocalAnswer(tone, message, entry) {
    answerBox.textContent = "";
    var section = document.createElement("section");
    section.className = "checkin-result checkin-result--" + tone;
    var title = document.createElement("h2");
    title.className = "checkin-result__title";
    title.textContent = message;
    section.appendChild(title);
    if (entry) {
      var who = document.createElement("p");
      var name = document.createElement("strong");
      name.className = "checkin-person__name";
      name.textContent = entry.name;
      who.appendChild(name);
      var rest = [entry.name_latin !== entry.name ? entry.name_latin : "", entry.organisation,
        entry.delegation, entry.role, entry.reference].filter(Boolean);
      who.appendChild(document.createTextNode(" · " + rest.join(" · ")));
      section.appendChild(who);
    }
    answerBox.appendChild(section);
  }

  function scanOffline(code) {
    var list = read(listKey, null);
    var session = sessionField ? sessionField.value : "";
    var wanted = code.toUpperCase();
    var entry = null;
    (list ? list.admissible : []).forEach(function (candidate) {
      if (candidate.code === code || candidate.reference === wanted) {
        entry = candidate;
      }
    });
    var queue = read(queueKey, []);
    queue.push({ id: randomId(), code: code, session: session || null,
      at: new Date().toISOString() });
    write(queueKey, queue);
    if (!list) {
      showLocalAnswer("again", text("no-list"), null);
    } else if (!entry) {
      showLocalAnswer("stop", text("not-listed"), null);
    } else {
      var seen = read(seenKey, {});
      var key = entry.reference + "@" + (session || list.day);
      if (seen[key] || (!session && entry.checked_in)) {
        showLocalAnswer("again", text("already-offline"), entry);
      } else {
        seen[key] = true;
        write(seenKey, seen);
        showLocalAnswer("go", text("accepted-offline"), entry);
      }
    }
    showQueue();
  }

  form.addEventListener("submit", function (event) {
    if (navigator.onLine) {
      return; // the server answers, as without the script
    }
    event.preventDefault();
    var code = codeField.value.trim();
    if (code) {
      scanOffline(code);
    }
    codeField.value = "";
    codeField.focus();
  });

  window.addEventListener("online", function () { sync(); });
  window.addEventListener("offline", showQueue);
  fetchList().then(sync);
  window.setInterval(function () { fetchList().then(sync); }, 60000);

  // --- the camera ---------------------------------------------------------------------
  var camera = document.getElementById("checkin-camera");
  var toggle = document.getElementById("checkin-camera-toggle");
  var video = document.getElementById("checkin-video");
  var cameraStatus = document.getElementById("checkin-camera-status");
  var hasDetector = "BarcodeDetector" in window;
  if (!camera || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia ||
      !(hasDetector || window.jsQR)) {
    return;
  }
  camera.hidden = false;
  var stream = null;
  var detector = hasDetector ? new window.BarcodeDetector({ formats: ["qr_code"] }) : null;
  var canvas = document.createElement("canvas");

  function stop() {
    if (stream) {
      stream.getTracks().forEach(function (track) { track.stop(); });
    }
    stream = null;
    video.hidden = true;
    toggle.textContent = text("camera-start");
  }

  function found(value) {
    stop();
    codeField.value = value;
    if (form.requestSubmit) {
      form.requestSubmit();
    } else {
      form.submit();
    }
  }

  function look() {
    if (!stream) {
      return;
    }
    if (video.readyState < 2) {
      window.setTimeout(look, 200);
      return;
    }
    if (detector) {
      detector.detect(video).then(function (codes) {
        if (codes.length) {
          found(codes[0].rawValue);
        } else {
          window.setTimeout(look, 200);
        }
      }).catch(function () { window.setTimeout(look, 500); });
      return;
    }
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    var context = canvas.getContext("2d", { willReadFrequently: true });
    context.drawImage(video, 0, 0, canvas.width, canvas.height);
    var image = context.getImageData(0, 0, canvas.width, canvas.height);
    var code = window.jsQR(image.data, image.width, image.height, {
      inversionAttempts: "dontInvert",
    });
    if (code && code.data) {
      found(code.data);
    } else {
      window.setTimeout(look, 200);
    }
  }

  toggle.addEventListener("click", function () {
    if (stream) {
      stop();
      return;
    }
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (media) {
        stream = media;
        video.srcObject = media;
        video.hidden = false;
        toggle.textContent = text("camera-stop");
        cameraStatus.textContent = "";
        return video.play();
      }).then(look).catch(function () {
        stop();
        cameraStatus.textContent = text("camera-none");
      });
  });
})();
