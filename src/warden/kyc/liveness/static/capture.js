// Liveness capture: runs the server's challenge steps, captures frames with their timing, posts them back.
// On-device landmarks (vendored face-api, tiny models) only guide the user; the server decides from its own
// estimates. If the model cannot load (old browser, no WebGL), capture goes on without guidance.
const PROMPTS = {
  neutral: "Look straight at the camera",
  turn_left: "Slowly turn your head to your left",
  turn_right: "Slowly turn your head to your right",
  blink: "Blink twice",
  nod: "Nod your head",
  move_closer: "Move closer to the camera",
};
const STEP_MS = 1600;      // time given to each step
const FRAME_EVERY_MS = 100; // about 10 frames a second
const params = new URLSearchParams(location.search);
const challengeUrl = params.get("challenge") || "challenge";
const submitUrl = params.get("submit") || "verify";

const video = document.getElementById("video");
const overlay = document.getElementById("overlay");
const promptEl = document.getElementById("prompt");
const statusEl = document.getElementById("status");
const startBtn = document.getElementById("start");
const grab = document.createElement("canvas");
let faceapi = null;

async function loadGuide() {
  try {
    faceapi = await import("./vendor/face-api/face-api.esm.js");
    await faceapi.nets.tinyFaceDetector.loadFromUri("vendor/face-api/model");
    await faceapi.nets.faceLandmark68TinyNet.loadFromUri("vendor/face-api/model");
  } catch (err) {
    faceapi = null;
    console.warn("on-device guide unavailable", err);
  }
}

async function guide() {
  if (!faceapi || video.readyState < 2) return;
  const found = await faceapi.detectSingleFace(video, new faceapi.TinyFaceDetectorOptions({ inputSize: 224 })).withFaceLandmarks(true);
  const ctx = overlay.getContext("2d");
  overlay.width = video.videoWidth; overlay.height = video.videoHeight;
  ctx.clearRect(0, 0, overlay.width, overlay.height);
  if (found) {
    const b = found.detection.box;
    ctx.strokeStyle = "#3fb950"; ctx.lineWidth = 3; ctx.strokeRect(b.x, b.y, b.width, b.height);
  }
  statusEl.textContent = found ? "" : "We cannot see your face";
}

// Wait for the camera's next frame, so a page polling faster than the camera never sends one frame twice.
function nextVideoFrame() {
  if (!video.requestVideoFrameCallback) return Promise.resolve();
  return new Promise((r) => video.requestVideoFrameCallback(() => r()));
}

function frame(t0, step) {
  grab.width = video.videoWidth; grab.height = video.videoHeight;
  grab.getContext("2d").drawImage(video, 0, 0);
  const url = grab.toDataURL("image/jpeg", 0.85);
  return { t_ms: Math.round((performance.now() - t0) * 10) / 10, step, image: url.slice(url.indexOf(",") + 1) };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function run() {
  startBtn.disabled = true;
  statusEl.textContent = "Starting the camera";
  const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480, facingMode: "user" }, audio: false });
  video.srcObject = stream;
  await new Promise((r) => (video.readyState >= 2 ? r() : (video.onloadeddata = r)));
  const track = stream.getVideoTracks()[0];
  const settings = track.getSettings();
  await loadGuide();
  const challenge = await (await fetch(challengeUrl, { method: "POST" })).json();
  const frames = [];
  const t0 = performance.now();
  for (const step of challenge.steps) {
    promptEl.textContent = PROMPTS[step] || step;
    promptEl.dataset.step = step;
    const end = performance.now() + STEP_MS;
    while (performance.now() < end) {
      await nextVideoFrame();
      frames.push(frame(t0, step));
      guide().catch(() => {});
      await sleep(FRAME_EVERY_MS);
    }
  }
  track.stop();
  promptEl.textContent = "Checking";
  const capture = {
    challenge_id: challenge.challenge_id,
    nonce: challenge.nonce,
    frames,
    device: { camera_label: track.label, user_agent: navigator.userAgent, width: settings.width, height: settings.height, guide: Boolean(faceapi) },
  };
  const res = await fetch(submitUrl, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(capture) });
  const result = await res.json();
  document.body.dataset.camera = track.label;
  document.body.dataset.result = JSON.stringify(result);
  // a verification session's capture link only stores the capture (the exchange submits the session); the
  // stand-alone page's /verify answers at once
  promptEl.textContent = result.received ? "Thank you, your capture was sent"
    : result.passed ? "Thank you, you are done" : "We could not confirm it is you live; your check goes to a reviewer";
  statusEl.textContent = "";
}

startBtn.addEventListener("click", () => run().catch((err) => { statusEl.textContent = "Error: " + err.message; document.body.dataset.error = err.message; }));
