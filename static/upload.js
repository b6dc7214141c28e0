// The video uploader: the file goes in parts (to the platform, or straight to S3 with presigned
// URLs), each part retried until it arrives; a reload or a dropped connection resumes from the
// parts already stored, which the server lists. The server checks everything again.
(function () {
  "use strict";

  const form = document.getElementById("video-uploader");
  if (!form) return;
  // The API's root and the contest's slug: a contest's uploads are listed and started under
  // /contests/<slug>/videos/uploads; an upload is then reached by its id alone.
  const API = form.dataset.api.replace(/\/$/, "");
  const UPLOADS = API + "/videos/uploads";
  const CONTEST_UPLOADS = API + "/contests/" + encodeURIComponent(form.dataset.contest) + "/videos/uploads";
  const MAX_BYTES = Number(form.dataset.maxBytes);
  const CLOSES_AT = form.dataset.closesAt ? Date.parse(form.dataset.closesAt) : null;
  const REPLACES_ID = form.dataset.replacesId ? Number(form.dataset.replacesId) : null;
  const T = JSON.parse(document.getElementById("upload-messages").textContent);
  const $ = (id) => document.getElementById(id);
  const fmt = (text, values) => text.replace(/\{(\w+)\}/g, (_, key) => values[key]);
  const csrfToken = document.querySelector('meta[name="csrf-token"]').content;

  let job = null; // the upload in progress: {upload, file, xhr, cancelled, sent, inFlight}

  class UploadError extends Error {
    constructor(message, status, body) {
      super(message);
      this.status = status;
      this.body = body || {};
    }
  }

  function humanSize(bytes) {
    const units = [["GB", 1024 ** 3], ["MB", 1024 ** 2], ["KB", 1024]];
    for (const [unit, factor] of units) {
      if (bytes >= factor) {
        return (bytes / factor).toFixed(1).replace(/\.0$/, "").replace(".", ",") + " " + unit;
      }
    }
    return bytes + " B";
  }

  function humanTime(seconds) {
    if (!isFinite(seconds)) return "…";
    seconds = Math.round(seconds);
    const h = Math.floor(seconds / 3600);
    const m = Math.floor((seconds % 3600) / 60);
    const s = seconds % 60;
    const unit = (name, n) => fmt(T.time[name], { n });
    if (h) return unit("h", h) + " " + unit("min", m);
    return m ? unit("min", m) + " " + unit("s", s) : unit("s", s);
  }

  function showError(message) {
    $("upload-error").textContent = message;
    $("upload-error").hidden = !message;
  }

  function setStatus(message) {
    $("upload-status").textContent = message;
  }

  // One request through XMLHttpRequest, which (unlike fetch) reports upload progress.
  function request(method, url, body, options) {
    options = options || {};
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open(method, url);
      if (options.csrf !== false) xhr.setRequestHeader("X-CSRFToken", csrfToken);
      if (options.json) xhr.setRequestHeader("Content-Type", "application/json");
      if (options.onProgress) xhr.upload.onprogress = (event) => options.onProgress(event.loaded);
      xhr.onload = () => {
        let data = {};
        try {
          data = xhr.responseText ? JSON.parse(xhr.responseText) : {};
        } catch (error) {
          data = {};
        }
        if (xhr.status >= 200 && xhr.status < 300) resolve(data);
        else reject(new UploadError(data.message || xhr.statusText, xhr.status, data));
      };
      xhr.onerror = () => reject(new UploadError("network", 0));
      xhr.onabort = () => reject(new UploadError("aborted", -1));
      if (job) job.xhr = xhr;
      xhr.send(options.json ? JSON.stringify(body) : body);
    });
  }

  const send = (method, url, body) =>
    request(method, url, body, { json: body !== undefined && !(body instanceof Blob) });
  const api = (method, path, body) => send(method, UPLOADS + path, body);
  const contestApi = (method, body) => send(method, CONTEST_UPLOADS, body);

  function isRetriable(error) {
    return error.status === 0 || error.status === 408 || error.status === 429 || error.status >= 500;
  }

  async function withRetries(action) {
    // A cancelled upload waiting to retry must stop, even if a new upload has started since.
    const current = job;
    const stopped = () => job !== current || current.cancelled;
    let delay = 1000;
    for (;;) {
      if (stopped()) throw new UploadError("aborted", -1);
      try {
        return await action();
      } catch (error) {
        if (stopped() || !isRetriable(error)) throw error;
        setStatus(fmt(T.retrying, { seconds: Math.round(delay / 1000) }));
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(delay * 2, 30000);
      }
    }
  }

  function resumeKey(file) {
    return ["video-upload", REPLACES_ID || "", file.name, file.size, file.lastModified].join(":");
  }

  async function findUpload(file) {
    const saved = localStorage.getItem(resumeKey(file));
    if (saved) {
      try {
        const upload = await api("GET", "/" + saved);
        if (upload.state === "uploading" && upload.size === file.size) return upload;
      } catch (error) {
        if (isRetriable(error)) throw error;
      }
      localStorage.removeItem(resumeKey(file));
    }
    // Another browser, or storage cleared: the server knows the unit's unfinished uploads.
    const list = await contestApi("GET");
    const match = list.uploads.find(
      (u) => u.filename === file.name && u.size === file.size && u.replaces_id === REPLACES_ID
    );
    return match ? api("GET", "/" + match.video_id) : null;
  }

  function details(file) {
    const data = new FormData(form);
    return {
      title: data.get("title"),
      description: data.get("description"),
      form: data.get("form"),
      filename: file.name,
      size: file.size,
      content_type: file.type || null,
      replaces_id: REPLACES_ID,
    };
  }

  function showFieldErrors(fields) {
    const messages = [];
    for (const [name, errors] of Object.entries(fields || {})) {
      const input = form.elements[name];
      if (input && input.type !== "hidden") input.setAttribute("aria-invalid", "true");
      messages.push(...errors);
    }
    return messages.join(" ");
  }

  function partRange(upload, number) {
    const start = (number - 1) * upload.part_size;
    return [start, Math.min(start + upload.part_size, upload.size)];
  }

  function reportProgress() {
    const now = performance.now();
    const bytes = job.sent + job.inFlight;
    job.samples.push([now, bytes]);
    while (job.samples.length > 2 && now - job.samples[0][0] > 10000) job.samples.shift();
    const [t0, b0] = job.samples[0];
    const speed = now > t0 ? ((bytes - b0) * 1000) / (now - t0) : 0;
    const total = job.upload.size;
    const left = speed > 0 ? (total - bytes) / speed : Infinity;
    $("upload-bar").value = Math.floor((bytes * 100) / total);
    setStatus(
      fmt(T.progress, {
        percent: Math.floor((bytes * 100) / total),
        sent: humanSize(bytes),
        total: humanSize(total),
        speed: humanSize(speed),
        left: humanTime(left),
      })
    );
    const late = CLOSES_AT && isFinite(left) && Date.now() + left * 1000 > CLOSES_AT;
    if (late) showError(T.lateWarning);
  }

  async function sendPart(number) {
    const { upload, file } = job;
    const [start, end] = partRange(upload, number);
    const blob = file.slice(start, end);
    const onProgress = (loaded) => {
      job.inFlight = loaded;
      reportProgress();
    };
    await withRetries(async () => {
      job.inFlight = 0;
      if (upload.direct) {
        const { url } = await api("POST", `/${upload.video_id}/parts/${number}/url`, {});
        await request("PUT", url, blob, { csrf: false, onProgress });
      } else {
        await request("PUT", `${UPLOADS}/${upload.video_id}/parts/${number}`, blob, { onProgress });
      }
    });
    job.inFlight = 0;
    job.sent += end - start;
    reportProgress();
  }

  async function sendMissingParts() {
    const state = await withRetries(() => api("GET", "/" + job.upload.video_id));
    const stored = new Set(state.parts.map((part) => part.number));
    job.sent = state.parts.reduce((sum, part) => sum + part.size, 0);
    job.samples = [[performance.now(), job.sent]]; // the speed counts from here, not from 0 B/s
    if (stored.size) setStatus(fmt(T.resuming, { done: stored.size, total: state.part_count }));
    for (let number = 1; number <= state.part_count; number += 1) {
      if (!stored.has(number)) await sendPart(number);
    }
  }

  async function upload(file) {
    setStatus(T.preparing);
    let existing = await withRetries(() => findUpload(file));
    if (!existing) {
      try {
        existing = await contestApi("POST", details(file));
      } catch (error) {
        throw new UploadError(showFieldErrors(error.body.fields) || error.message, error.status);
      }
    }
    job.upload = existing;
    localStorage.setItem(resumeKey(file), existing.video_id);
    $("upload-cancel").hidden = false;
    for (let round = 0; ; round += 1) {
      await sendMissingParts();
      setStatus(T.finishing);
      try {
        await withRetries(() => api("POST", `/${existing.video_id}/complete`, {}));
        break;
      } catch (error) {
        // A part the server did not keep whole: fetch the list again and resend it.
        if (error.body.error !== "upload_incomplete" || round >= 3) throw error;
      }
    }
    localStorage.removeItem(resumeKey(file));
    $("upload-bar").value = 100;
    if (REPLACES_ID === null) {
      setStatus(T.done);
      setTimeout(() => window.location.reload(), 1500);
      return;
    }
    // A replacement: say what happens to the old video, and lead to the new one.
    const link = document.createElement("a");
    link.href = form.dataset.videoPage + existing.video_id;
    link.textContent = T.openNew;
    link.dataset.testid = "new-upload-link";
    $("upload-status").replaceChildren(T.replaced + " ", link);
    $("upload-cancel").hidden = true;
    job = null;
    delete form.dataset.busy;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (job) return;
    showError("");
    const file = $("video-file").files[0];
    if (!file) return showError(T.chooseFile);
    if (file.size === 0) return showError(T.empty);
    // Resuming an unfinished upload: only its own file continues it.
    const resumeName = form.dataset.resumeName;
    if (resumeName && (file.name !== resumeName || String(file.size) !== form.dataset.resumeSize)) {
      return showError(fmt(T.wrongFile, { name: resumeName }));
    }
    if (file.size > MAX_BYTES) {
      return showError(fmt(T.tooLarge, { size: humanSize(file.size), limit: humanSize(MAX_BYTES) }));
    }
    const current = {
      file, upload: null, xhr: null, cancelled: false, sent: 0, inFlight: 0, samples: [],
    };
    job = current;
    form.dataset.busy = "1";
    form.querySelector(".upload-progress").hidden = false;
    $("upload-start").disabled = true;
    try {
      await upload(file);
    } catch (error) {
      // Cancelled: the cancel button has already reset the form (and may have started another).
      if (job !== current || current.cancelled) return;
      showError(fmt(T.failed, { message: error.message }));
      $("upload-start").disabled = false;
      $("upload-cancel").hidden = true;
      job = null;
      delete form.dataset.busy;
    }
  });

  $("upload-cancel").addEventListener("click", async () => {
    if (!job || !window.confirm(T.confirmCancel)) return;
    job.cancelled = true;
    if (job.xhr) job.xhr.abort();
    const current = job;
    job = null;
    localStorage.removeItem(resumeKey(current.file));
    if (current.upload) {
      try {
        await request("DELETE", `${UPLOADS}/${current.upload.video_id}`);
      } catch (error) {
        // Already gone, or offline: the server drops abandoned uploads by itself.
      }
    }
    $("upload-bar").value = 0;
    setStatus(T.cancelled);
    $("upload-cancel").hidden = true;
    $("upload-start").disabled = false;
    delete form.dataset.busy;
  });

  window.addEventListener("beforeunload", (event) => {
    if (job && !job.cancelled) event.preventDefault();
  });
})();

// Pages listing videos still being processed look again every few seconds.
(function () {
  "use strict";
  if (document.querySelector("[data-video-state='received'], [data-video-state='processing']")) {
    setTimeout(() => window.location.reload(), 4000);
  }
})();
