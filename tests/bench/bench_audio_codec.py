"""Audio codec cost: PyAV in process against an ffmpeg process per call, side by side.

    .venv/bin/python -m tests.bench.bench_audio_codec [--rounds N]

Prints a Markdown table and writes tests/bench/results/audio_codec.json. The cases are what a
voice turn does: decode a 3-second upload (MP3, WebM/Opus, a 48 kHz stereo WAV) to 16 kHz mono
PCM, and encode a 3-second reply to MP3. The ffmpeg column runs the ffmpeg command the codec
ran before PyAV (same options, through pipes), with the binary of the imageio-ffmpeg wheel or
`ffmpeg` on PATH; without either, only PyAV is measured. Figures per call: median wall time,
median CPU time (this process and its children), and memory: the peak RSS of the ffmpeg
process, against what PyAV adds to this process (its libraries once, then the peak growth
over the runs).
"""

import argparse
import asyncio
import importlib.util
import json
import resource
import shutil
import statistics
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

RESULTS = Path(__file__).parent / "results" / "audio_codec.json"
SENTENCE = "I would like a cup of tea and a slice of lemon cake."
SECONDS = 3.0
# The command lines of the ffmpeg-process codec.
_STDIN = ["-protocol_whitelist", "cache,pipe", "-read_ahead_limit", "-1", "-i", "cache:pipe:0"]
FFMPEG_DECODE = [*_STDIN, "-map", "0:a:0", "-ac", "1", "-ar", "16000", "-t", "31"]
FFMPEG_DECODE += ["-fs", "960002", "-c:a", "pcm_s16le", "-f", "s16le", "pipe:1"]
FFMPEG_ENCODE = ["-f", "wav", *_STDIN, "-map", "0:a:0", "-c:a", "libmp3lame", "-b:a", "64k"]
FFMPEG_ENCODE += ["-id3v2_version", "0", "-f", "mp3", "pipe:1"]


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def ffmpeg_binary() -> str | None:
    if importlib.util.find_spec("imageio_ffmpeg"):
        import imageio_ffmpeg

        return imageio_ffmpeg.get_ffmpeg_exe()
    return shutil.which("ffmpeg")


def clip_wav() -> bytes:
    """A WAV of eSpeak NG speech, cut or padded with silence to SECONDS."""
    import io
    import wave

    from adapters.speech.espeak import EspeakSynthesizer

    speech = asyncio.run(EspeakSynthesizer().synthesize(SENTENCE)).audio
    with wave.open(io.BytesIO(speech)) as reader:
        rate, width = reader.getframerate(), reader.getsampwidth()
        frames = reader.readframes(reader.getnframes())
    size = int(SECONDS * rate) * width
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(width)
        out.setframerate(rate)
        out.writeframes(frames[:size].ljust(size, b"\0"))
    return buffer.getvalue()


def cpu_seconds() -> float:
    """CPU time of this process and its waited-for children (microsecond resolution)."""
    own, children = (
        resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def measure(call: Callable[[], object], rounds: int) -> dict[str, float]:
    call()  # warm-up
    walls, cpus = [], []
    for _ in range(rounds):
        before, started = cpu_seconds(), time.perf_counter()
        call()
        walls.append(time.perf_counter() - started)
        cpus.append(cpu_seconds() - before)
    return {
        "wall_ms": round(statistics.median(walls) * 1000, 2),
        "cpu_ms": round(statistics.median(cpus) * 1000, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    rounds = parser.parse_args().rounds

    base_rss = rss_mb()
    from adapters.speech import codec  # loads PyAV and its FFmpeg libraries

    libraries_mb = rss_mb() - base_rss
    from tests.support.audio import recorded

    wav = clip_wav()
    uploads = {
        "decode MP3": codec.encode_mp3(wav),
        "decode WebM/Opus": recorded(wav, "webm", "libopus", 48000),
        "decode WAV 48 kHz stereo": recorded(wav, "wav", "pcm_s16le", 48000, "stereo"),
    }
    cases: dict[str, tuple[Callable[[], object], list[str], bytes]] = {
        name: (lambda data=data: codec.decode_to_pcm(data, 16000, 30), FFMPEG_DECODE, data)
        for name, data in uploads.items()
    }
    cases["encode MP3 (3 s reply)"] = (lambda: codec.encode_mp3(wav), FFMPEG_ENCODE, wav)

    results: dict[str, dict[str, dict[str, float]]] = {}
    for name, (call, _, _) in cases.items():
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        results[name] = {"pyav": measure(call, rounds)}
        grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak) / 1024
        results[name]["pyav"]["memory_mb"] = round(grown, 1)
    binary = ffmpeg_binary()
    if binary:
        for name, (_, args, data) in cases.items():
            command = [binary, "-hide_banner", "-nostats", "-loglevel", "error", *args]
            results[name]["ffmpeg"] = measure(
                lambda command=command, data=data: subprocess.run(
                    command, input=data, capture_output=True, check=True
                ),
                rounds,
            )
            # The largest child so far: ffmpeg's own peak RSS (its runs are alike).
            peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            results[name]["ffmpeg"]["memory_mb"] = round(peak, 1)

    report = {"rounds": rounds, "pyav_libraries_mb": round(libraries_mb, 1), "cases": results}
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(f"PyAV's libraries add {libraries_mb:.1f} MB to the process once.\n")
    print(
        "| case | PyAV wall / CPU ms | ffmpeg process wall / CPU ms | memory MB (PyAV / ffmpeg) |"
    )
    print("| --- | ---: | ---: | ---: |")
    for name, result in results.items():
        pyav, ffmpeg = result["pyav"], result.get("ffmpeg")
        theirs = f"{ffmpeg['wall_ms']} / {ffmpeg['cpu_ms']}" if ffmpeg else "not measured"
        memory = f"{pyav['memory_mb']} / {ffmpeg['memory_mb'] if ffmpeg else '-'}"
        print(f"| {name} | {pyav['wall_ms']} / {pyav['cpu_ms']} | {theirs} | {memory} |")


if __name__ == "__main__":
    main()
