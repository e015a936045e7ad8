// Warns a signed-in member before the idle timeout signs them out, and lets them stay.
//
// Reads from <body>: data-idle-timeout-seconds, data-idle-warning-seconds,
// data-keepalive-url and data-timed-out-url. Uses the <dialog class="hearth-idle-dialog">
// in the staff layout and the CSRF token from <meta name="csrf-token">.
//
// The server enforces the timeout whatever happens here; this only warns. Tabs share one
// deadline through localStorage, so activity in one tab keeps the others from warning.
const body = document.body;
const timeoutSeconds = Number(body.dataset.idleTimeoutSeconds);
const warningSeconds = Number(body.dataset.idleWarningSeconds);
const keepaliveUrl = body.dataset.keepaliveUrl;
const timedOutUrl = body.dataset.timedOutUrl;
const dialog = document.querySelector("dialog.hearth-idle-dialog");

const STORAGE_KEY = "hearth-idle-deadline";

function readSharedDeadline() {
  try {
    return Number(window.localStorage.getItem(STORAGE_KEY)) || 0;
  } catch {
    return 0; // Storage blocked: this tab keeps its own deadline.
  }
}

function writeSharedDeadline(value) {
  try {
    window.localStorage.setItem(STORAGE_KEY, String(value));
  } catch {
    // Ignore: see readSharedDeadline.
  }
}

// "2 minutes", "1 minute", "45 seconds": what the dialog shows, updated every second.
function describe(seconds) {
  if (seconds > 60) {
    const minutes = Math.ceil(seconds / 60);
    return `${minutes} minutes`;
  }
  if (seconds === 60) return "1 minute";
  return seconds === 1 ? "1 second" : `${seconds} seconds`;
}

// What screen readers hear: whole minutes, then every 15 seconds, never every second.
function announcement(seconds) {
  if (seconds > 60) return describe(Math.ceil(seconds / 60) * 60);
  return describe(Math.max(15, Math.ceil(seconds / 15) * 15));
}

function start() {
  const countdown = dialog.querySelector("[data-hearth-idle-countdown]");
  const announcer = dialog.querySelector("[data-hearth-idle-announce]");
  const stayButton = dialog.querySelector("[data-hearth-idle-stay]");
  const problem = dialog.querySelector("[data-hearth-idle-problem]");
  const csrfMeta = document.querySelector('meta[name="csrf-token"]');

  let deadline = Date.now() + timeoutSeconds * 1000;
  let lastAnnounced = "";
  let returnFocusTo = null;
  let finished = false;

  function extend() {
    deadline = Date.now() + timeoutSeconds * 1000;
    writeSharedDeadline(deadline);
  }

  function secondsLeft() {
    return Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
  }

  function openWarning() {
    const left = secondsLeft();
    countdown.textContent = describe(left);
    // The dialog's description already says how long is left when it opens.
    lastAnnounced = announcement(left);
    announcer.textContent = "";
    if (problem) problem.hidden = true;
    returnFocusTo = document.activeElement;
    dialog.showModal();
    stayButton.focus();
  }

  function closeWarning() {
    if (dialog.open) dialog.close();
    announcer.textContent = "";
    if (returnFocusTo && typeof returnFocusTo.focus === "function" && document.contains(returnFocusTo)) {
      returnFocusTo.focus();
    }
    returnFocusTo = null;
  }

  function timeOut() {
    finished = true;
    window.clearInterval(timer);
    // Sign out by POST (with the CSRF token): a GET to the signed-out page signs nobody out.
    const form = document.createElement("form");
    form.method = "post";
    form.action = timedOutUrl;
    const token = document.createElement("input");
    token.type = "hidden";
    token.name = "csrfmiddlewaretoken";
    const csrf = document.querySelector('meta[name="csrf-token"]');
    token.value = csrf ? csrf.content : "";
    form.appendChild(token);
    document.body.appendChild(form);
    form.submit();
  }

  function tick() {
    if (finished) return;
    // Another tab may have kept the session alive.
    const shared = readSharedDeadline();
    if (shared > deadline) deadline = shared;

    const left = secondsLeft();
    if (left <= 0) {
      timeOut();
      return;
    }
    if (left <= warningSeconds) {
      if (!dialog.open) {
        openWarning();
        return;
      }
      countdown.textContent = describe(left);
      const said = announcement(left);
      if (said !== lastAnnounced) {
        lastAnnounced = said;
        announcer.textContent = `You will be signed out in ${said}.`;
      }
    } else if (dialog.open) {
      closeWarning();
    }
  }

  async function staySignedIn() {
    stayButton.disabled = true;
    try {
      const response = await fetch(keepaliveUrl, {
        method: "POST",
        credentials: "same-origin",
        redirect: "manual",
        headers: {
          "X-CSRFToken": csrfMeta ? csrfMeta.content : "",
          "X-Requested-With": "fetch",
        },
      });
      if (response.ok) {
        extend();
        closeWarning();
      } else {
        // Already signed out on the server (redirect to sign in, or refused).
        timeOut();
      }
    } catch {
      // Network trouble: say so, and leave the countdown running.
      if (problem) problem.hidden = false;
      announcer.textContent = "Sorry, there was a problem. Try again.";
    } finally {
      stayButton.disabled = false;
    }
  }

  stayButton.addEventListener("click", staySignedIn);
  // Escape means "stay signed in", as in the GOV.UK timeout warning pattern.
  dialog.addEventListener("cancel", (event) => {
    event.preventDefault();
    staySignedIn();
  });

  extend(); // This page load counted as activity on the server.
  const timer = window.setInterval(tick, 1000);
  // Timers are slowed in background tabs: check at once on return.
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") tick();
  });
}

if (
  dialog &&
  typeof dialog.showModal === "function" &&
  timeoutSeconds > 0 &&
  warningSeconds > 0 &&
  keepaliveUrl &&
  timedOutUrl
) {
  start();
}
