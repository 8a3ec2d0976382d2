#!/usr/bin/env python3
"""Where the gateway's CPU goes per flow step, from a JFR recording of CPU-time samples.

Usage: jfr_steps.py RECORDING.jfr CPU.json [JFR-BINARY] > steps.json

RECORDING.jfr holds jdk.CPUTimeSample events (JDK 25, JEP 509: one sample per THROTTLE of a
thread's CPU time, Java and native frames alike, so the JNA call into the Go verifier counts);
CPU.json is {"gateway_cpu_s": S, "flows": N, "period_ms": P} for the same interval (S from
/proc/PID/stat, so it also holds what JFR does not sample: GC, JIT and VM threads).

A sample belongs to the step whose handler is on its stack (ChecksService.create: check
creation = ids, QR, signed request object; RequestsService.request: request object;
ResponsesService/Responses, including the verification pool: response; ChecksService.events:
SSE; ChecksService.token: token; ChecksService.poll/qr: poll, qr). Within a step, the part is the
outermost of audit (AuditLog), store (store/), qr (Qr), verify (dev.agegate.zk, JNA), else the
innermost of sign (JOSE, java.security, sun.security), json (Jackson, JsonSupport), else handler.
Samples outside any handler are http (Helidon, no handler on the stack) or other (Java threads:
Redis, timers); the rest of the process's CPU is vm (GC, JIT, kernel time JFR does not see).
ms per flow = samples x period / flows. Prints a JSON object: by_step, parts, samples, notes.
"""
import json
import subprocess
import sys

HANDLERS = [
    ("dev.agegate.gateway.checks.ChecksService", "create", "create"),
    ("dev.agegate.gateway.protocol.RequestsService", None, "request_object"),
    ("dev.agegate.gateway.protocol.ResponsesService", None, "response"),
    ("dev.agegate.gateway.protocol.Responses", None, "response"),
    ("dev.agegate.gateway.checks.ChecksService", "events", "sse"),
    ("dev.agegate.gateway.checks.ChecksService", "token", "token"),
    ("dev.agegate.gateway.checks.ChecksService", "poll", "poll"),
    ("dev.agegate.gateway.checks.ChecksService", "qr", "qr"),
]
COMPONENTS = [
    ("dev.agegate.gateway.audit.", "audit"),
    ("dev.agegate.gateway.store.", "store"),
    ("dev.agegate.gateway.checks.Qr", "qr"),
    ("dev.agegate.zk.", "verify"),
    ("com.sun.jna.", "verify"),
    ("dev.agegate.gateway.verify.", "verify"),
]
LIBRARIES = [
    ("com.nimbusds.", "sign"), ("java.security.", "sign"), ("sun.security.", "sign"),
    ("com.fasterxml.jackson.", "json"), ("dev.agegate.gateway.http.JsonSupport", "json"),
]


def frames(event):
    st = (event.get("values") or {}).get("stackTrace") or {}
    out = []
    for f in st.get("frames") or []:
        m = f.get("method") or {}
        t = ((m.get("type") or {}).get("name") or "").replace("/", ".")
        out.append((t, m.get("name") or ""))
    return out  # innermost first


def handler_lambda(t, name, cls, meth):
    # a lambda or inner class of the handler counts as the handler (e.g. Responses$$Lambda, lambda$respond$0)
    base = t.split("$", 1)[0]
    if base != cls:
        return False
    return meth is None or name == meth or name.startswith("lambda$" + meth + "$")


def classify(fr):
    step = None
    for t, name in reversed(fr):  # outermost first
        for cls, meth, s in HANDLERS:
            if handler_lambda(t, name, cls, meth):
                step = s
                break
        if step:
            break
    if step is None:
        if any(t.startswith("io.helidon.") for t, _ in fr):
            return "http", "http"
        return "other", "other"
    for t, _ in reversed(fr):
        for prefix, part in COMPONENTS:
            if t.startswith(prefix):
                return step, part
    for t, _ in fr:
        for prefix, part in LIBRARIES:
            if t.startswith(prefix):
                return step, part
    return step, "handler"


def thread_group(name):
    if name.startswith("ForkJoinPool"):
        return "carriers"  # the virtual threads' carriers: every HTTP handler runs there
    if name.startswith("agegate-verif"):
        return "verify"
    if name.startswith(("C1 Compiler", "C2 Compiler")):
        return "jit"
    if name.startswith(("G1 ", "GC Thread", "VM Periodic", "GC ")):
        return "gc"
    if name.startswith(("VM Thread", "java", "JFR", "Attach", "Service", "Monitor", "Notif",
                        "Reference", "Finalizer", "Signal", "Common-Cleaner", "Sweeper")):
        return "vm"
    return "java_other"  # the gateway's own platform threads: Redis change feed, audit, timers


def main(recording, cpu_path, jfr="jfr"):
    cpu = json.load(open(cpu_path))
    flows = cpu["flows"]
    groups = {}
    for name, seconds in (cpu.get("threads") or {}).items():
        g = thread_group(name)
        groups[g] = groups.get(g, 0.0) + seconds
    text = subprocess.run([jfr, "print", "--json", "--stack-depth", "200", "--events", "jdk.ExecutionSample",
                           recording], capture_output=True, text=True, check=True).stdout
    events = json.loads(text)["recording"]["events"]
    counts, parts, n = {}, {}, 0
    for e in events:
        th = (e.get("values") or {}).get("sampledThread") or {}
        tname = th.get("javaName") or th.get("osName") or ""
        if tname.startswith("agegate-verif") or thread_group(tname) in ("java_other",) and not th.get("virtual"):
            continue  # measured directly from the thread's own CPU time
        step, part = classify(frames(e))
        n += 1
        counts[step] = counts.get(step, 0) + 1
        parts.setdefault(step, {})
        parts[step][part] = parts[step].get(part, 0) + 1
    carrier_ms = groups.get("carriers", 0.0) * 1000 / flows

    def ms(k):
        return round(k / n * carrier_ms, 3) if n else None

    by_step = {s: ms(k) for s, k in sorted(counts.items())}
    for s in ("create", "request_object", "response", "sse", "token"):
        by_step.setdefault(s, None)  # null: no sample had that handler (the load tool opens no SSE stream)
    parts_ms = {s: {p: ms(k) for p, k in sorted(d.items())} for s, d in sorted(parts.items())}
    verify_ms = groups.get("verify", 0.0) * 1000 / flows
    by_step["response"] = round((by_step["response"] or 0.0) + verify_ms, 3)
    parts_ms.setdefault("response", {})["verify_pool"] = round(verify_ms, 3)
    for g in ("jit", "gc", "vm", "java_other"):
        by_step[g] = round(groups.get(g, 0.0) * 1000 / flows, 3)
    total_ms = cpu["gateway_cpu_s"] * 1000 / flows
    print(json.dumps({
        "by_step": by_step,
        "total_ms_per_flow": round(total_ms, 3),
        "threads_ms_per_flow": {g: round(v * 1000 / flows, 3) for g, v in sorted(groups.items())},
        "parts": parts_ms,
        "samples": n, "flows": flows,
        "notes": "per-thread CPU from /proc/PID/task/*/stat over the run; the carriers' CPU (virtual threads: every "
                 "HTTP handler) split by step in proportion to JFR jdk.ExecutionSample samples with that step's "
                 "handler on the stack; the verification pool's CPU is the response's; jit, gc, vm, java_other are "
                 "those threads' own CPU",
    }, indent=2))


if __name__ == "__main__":
    main(*sys.argv[1:])
