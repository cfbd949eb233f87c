"""Liveness error rates on generated captures (ISO/IEC 30107-3 terms, on Warden's own streams only):
APCER per attack species (share of attacks that passed), BPCER (share of genuine captures refused), and
each heuristic's firing rate on genuine captures and on the species it targets."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from warden.kyc.liveness import synth
from warden.kyc.liveness.challenge import issue_challenge
from warden.kyc.liveness.replay import MemoryReplayGuard
from warden.kyc.liveness.verifier import ServerLivenessVerifier
from warden.kyc.ports import LivenessResult

Trial = Callable[[ServerLivenessVerifier, bytes, int], LivenessResult]


def _fresh(secret: bytes) -> dict[str, Any]:
    return issue_challenge(secret, "cu_eval")


def _genuine(v: ServerLivenessVerifier, secret: bytes, seed: int) -> LivenessResult:
    ch = _fresh(secret)
    return v.verify(ch, synth.genuine_capture(ch, seed))


def _replayed_session(v: ServerLivenessVerifier, secret: bytes, seed: int) -> LivenessResult:
    ch = _fresh(secret)
    cap = synth.genuine_capture(ch, seed)
    v.verify(ch, cap)
    return v.verify(ch, cap)


def _stale(v: ServerLivenessVerifier, secret: bytes, seed: int) -> LivenessResult:
    ch = issue_challenge(secret, "cu_eval", ttl_s=60, now=v.clock() - 3600)
    return v.verify(ch, synth.genuine_capture(ch, seed))


def _frames_from_other_session(v: ServerLivenessVerifier, secret: bytes, seed: int) -> LivenessResult:
    first = _fresh(secret)
    old = synth.genuine_capture(first, seed)
    v.verify(first, old)
    second = {**_fresh(secret)}
    second_cap = synth.genuine_capture(second, seed + 10_000)
    # the attacker keeps the new session's step labels and timing but sends the recorded frames
    for new, recorded in zip(second_cap["frames"], old["frames"], strict=False):
        new["image"] = recorded["image"]
    return v.verify(second, second_cap)


def _simple(make: Callable[[dict[str, Any], int], dict[str, Any]]) -> Trial:
    def trial(v: ServerLivenessVerifier, secret: bytes, seed: int) -> LivenessResult:
        ch = _fresh(secret)
        return v.verify(ch, make(ch, seed))

    return trial


SPECIES: dict[str, Trial] = {
    "replayed_session": _replayed_session,
    "stale_session": _stale,
    "frames_from_other_session": _frames_from_other_session,
    "printed_or_still_photo": _simple(synth.photo_capture),
    "virtual_camera": _simple(synth.virtual_camera_capture),
    "timer_paced_injection": _simple(lambda ch, seed: synth.genuine_capture(ch, seed, regular=True)),
    "source_switched_mid_stream": _simple(synth.resolution_switch_capture),
    "looped_clip": _simple(synth.looped_capture),
    "screen_replay": _simple(synth.screen_capture),
}
TARGETS = {
    "heuristic_virtual_camera": "virtual_camera",
    "heuristic_timing_too_regular": "timer_paced_injection",
    "heuristic_resolution_changed": "source_switched_mid_stream",
    "heuristic_duplicate_frames": "looped_clip",
    "heuristic_screen_or_print_pattern": "screen_replay",
}


def _fires(result: LivenessResult, prefix: str) -> bool:
    return any(r.startswith(prefix) for r in result.reasons)


def evaluate_liveness(trials: int = 5, species: list[str] | None = None) -> dict[str, Any]:
    secret = secrets.token_bytes(32)
    verifier = ServerLivenessVerifier(secret, MemoryReplayGuard())
    seed = 1
    genuine: list[LivenessResult] = []
    for _ in range(trials):
        genuine.append(_genuine(verifier, secret, seed))
        seed += 1
    attacks: dict[str, list[LivenessResult]] = {}
    for name in species or list(SPECIES):
        attacks[name] = []
        for _ in range(trials):
            attacks[name].append(SPECIES[name](verifier, secret, seed))
            seed += 1
    per_species = {
        name: {
            "attacks": len(rs),
            "apcer": round(sum(r.passed for r in rs) / len(rs), 4),
            "reasons": sorted({x.split(":")[0] for r in rs for x in r.reasons}),
        }
        for name, rs in attacks.items()
    }
    apcers = [sum(r.passed for r in rs) / len(rs) for rs in attacks.values()]
    heuristics = {}
    for reason, target in TARGETS.items():
        if target not in attacks:
            continue
        heuristics[reason] = {
            "false_alarm_rate_genuine": round(sum(_fires(r, reason) for r in genuine) / len(genuine), 4),
            "detection_rate": round(sum(_fires(r, reason) for r in attacks[target]) / len(attacks[target]), 4),
            "on": target,
            "n": len(attacks[target]),
        }
    return {
        "data": "generated from the shipped public-domain sample face; not real attacks",
        "genuine": len(genuine),
        "bpcer": round(sum(not r.passed for r in genuine) / len(genuine), 4),
        "genuine_refusal_reasons": sorted({x.split(":")[0] for r in genuine for x in r.reasons}),
        "apcer_worst": max(apcers, default=None),
        "per_species": per_species,
        "heuristics": heuristics,
        "not_measurable_here": [
            "real print, screen and mask attacks (no licensed PAD data set here)",
            "real-time face swap and deepfake injection (no generator or data set here)",
            "a different person substituted mid-stream (one licensed face identity only)",
        ],
        "version": verifier._result([], {}).version,
    }
