"""Managing run folders: export as zip, import a zip, rename, delete, and a status label.

Importing treats the zip as hostile: only the files a run folder holds are accepted
(``run.json``, ``metrics.jsonl``, ``model.safetensors`` and, for BERT, a small set of
``hf/`` files), by exact name, so nothing can land outside the new folder (no ``..``, no
absolute paths, no links) and no pickle (``.bin``, ``.pt``, ``.pkl``) ever gets in. Sizes
are capped before anything is unpacked, ``run.json`` must be a JSON object, and every
safetensors file must open as safetensors.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import stat
import tempfile
import zipfile
import zlib
from pathlib import Path

from safetensors import safe_open

from genoviz.run_folders import safe_name
from genoviz.run_lock import run_owner_alive
from genoviz.runs import (
    DIR_MODE,
    METRICS,
    RUN_JSON,
    TEST_PREDICTIONS,
    WEIGHTS,
    Run,
    RunError,
    not_a_run,
)

#: Files a run folder may hold, relative to it. ``hf/`` is a BERT ``save_pretrained`` dir.
RUN_FILES: frozenset[str] = frozenset(
    {
        RUN_JSON,
        METRICS,
        WEIGHTS,
        TEST_PREDICTIONS,
        "hf/config.json",
        "hf/model.safetensors",
        "hf/vocab.txt",
        "hf/tokenizer_config.json",
        "hf/special_tokens_map.json",
        "hf/tokenizer.json",
        "hf/generation_config.json",
    }
)
#: Largest unpacked import, all files together.
MAX_IMPORT_BYTES = 1 << 30
MAX_MEMBERS = 64


def export_zip(run_dir: str | Path) -> bytes:
    """The run folder as zip bytes, its files under ``<run name>/``."""
    run_dir = Path(run_dir)
    if not (run_dir / RUN_JSON).is_file():
        raise RunError(f"{run_dir} is not a genoviz run folder (no {RUN_JSON})")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for rel in sorted(RUN_FILES):
            path = run_dir / rel
            if path.is_file() and not path.is_symlink():
                zf.write(path, f"{run_dir.name}/{rel}")
    return buf.getvalue()


#: Files an operating system adds to a folder zipped by hand (macOS Finder, Windows).
OS_JUNK = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})


def _os_junk(filename: str) -> bool:
    """Whether a zip member is operating-system clutter, skipped on import: ``__MACOSX/``
    resource forks, ``._`` AppleDouble files, ``.DS_Store`` and the like."""
    parts = filename.split("/")
    return parts[0] == "__MACOSX" or parts[-1] in OS_JUNK or parts[-1].startswith("._")


def _member_names(zf: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    """Zip members by their path inside the run folder, after every check on names."""
    infos = [i for i in zf.infolist() if not i.is_dir() and not _os_junk(i.filename)]
    if not infos:
        raise RunError("the zip is empty")
    if len(infos) > MAX_MEMBERS:
        raise RunError(f"the zip holds {len(infos)} files; a run has at most {len(RUN_FILES)}")
    tops = {i.filename.split("/", 1)[0] for i in infos}
    # exported zips have one top folder; a zip of the folder's contents has none
    prefix = f"{tops.pop()}/" if len(tops) == 1 and all("/" in i.filename for i in infos) else ""
    out: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        name = info.filename.removeprefix(prefix)
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise RunError(f"{info.filename!r} is a link; a run zip holds plain files only")
        if name not in RUN_FILES:
            raise RunError(
                f"{info.filename!r} is not part of a genoviz run (expected only "
                f"{', '.join(sorted(RUN_FILES))}); the zip was not imported"
            )
        if name in out:
            raise RunError(f"{name!r} appears twice in the zip")
        out[name] = info
    if RUN_JSON not in out:
        raise RunError(f"the zip has no {RUN_JSON}; it is not an exported genoviz run")
    total = sum(i.file_size for i in out.values())
    if total > MAX_IMPORT_BYTES:
        raise RunError(f"the zip unpacks to {total / 2**20:,.0f} MB; the limit is 1 GB")
    return out


def import_zip(data: bytes, root: str | Path, name: str | None = None) -> Path:
    """Unpack a run zip into a new folder under ``root`` and return it.

    The folder is named after ``name`` (or the zip's top folder), made safe, with a
    ``-imported`` suffix if taken. Nothing is written under ``root`` unless every check
    passes.

    Raises:
        RunError: not a zip, unexpected or unsafe members, too large, or files that do not
            read as a run (``run.json`` not a JSON object, weights not safetensors).
    """
    root = Path(root)
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise RunError("the file is not a zip archive") from None
    with zf:
        members = _member_names(zf)
        first = next(i.filename for i in zf.infolist() if not _os_junk(i.filename))
        stem = name or (first.split("/", 1)[0] if "/" in first else "imported-run")
        root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=root, prefix=".import-"))
        try:
            for rel, info in members.items():
                dest = staging / rel
                dest.parent.mkdir(parents=True, exist_ok=True)
                written = 0
                with zf.open(info) as src, open(dest, "wb") as out:
                    while chunk := src.read(1 << 20):
                        written += len(chunk)
                        if written > info.file_size or written > MAX_IMPORT_BYTES:
                            raise RunError(f"{rel} unpacks larger than the zip says")
                        out.write(chunk)
            _check_contents(staging)
            target = _free_path(root, safe_name(stem))
            os.chmod(staging, DIR_MODE)  # a run folder, not mkdtemp's private 0700
            staging.rename(target)
            return target
        except (zipfile.BadZipFile, zlib.error, EOFError) as e:
            raise RunError(f"the zip is damaged: {e}") from None
        except NotImplementedError as e:  # a compression method zipfile lacks
            raise RunError(f"the zip cannot be unpacked ({e}); export it from genoviz") from None
        except RuntimeError as e:  # zipfile's word for an encrypted member
            raise RunError(
                f"the zip cannot be unpacked ({e}); export it again, unencrypted"
            ) from None
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)


def _check_contents(run_dir: Path) -> None:
    try:
        info = json.loads((run_dir / RUN_JSON).read_text())
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise RunError(f"{RUN_JSON} in the zip is not valid JSON ({e})") from None
    problem = not_a_run(info) or ("no model record" if "model" not in info else None)
    if problem:
        raise RunError(f"{RUN_JSON} in the zip does not describe a genoviz run: {problem}")
    for rel in (WEIGHTS, "hf/model.safetensors"):
        path = run_dir / rel
        if path.exists():
            try:
                with safe_open(str(path), framework="pt") as fh:
                    fh.keys()
            except Exception as e:
                raise RunError(f"{rel} in the zip is not a safetensors file ({e})") from None


def _free_path(root: Path, name: str) -> Path:
    path = root / name
    k = 0
    while path.exists():
        k += 1
        path = root / f"{name}-imported" if k == 1 else root / f"{name}-imported-{k}"
    return path


def _inside(root: Path, path: Path) -> Path:
    """``path`` resolved, checked to be a run folder directly under ``root``."""
    resolved = path.resolve()
    if resolved.parent != root.resolve() or not (resolved / RUN_JSON).is_file():
        raise RunError(f"{path} is not a run folder under {root}")
    return resolved


#: What a run name may hold, as the refusal says it.
NAME_RULE = (
    "A run name may use only letters A-Z and a-z, digits, '-', '_' and '.', at most 80 of "
    "them, with no '..' and not starting or ending with '.' or '-'."
)


def check_run_name(name: str) -> str:
    """``name`` without surrounding spaces, if it is a run folder name as it stands.

    Nothing is changed silently (``../evil`` is refused, never turned into ``evil``).

    Raises:
        RunError: empty, or a name :func:`genoviz.run_folders.safe_name` would change; the message
            says why and which characters are allowed.
    """
    name = name.strip()
    if not name:
        raise RunError(f"Type a new name for the run. {NAME_RULE}")
    if safe_name(name) == name:
        return name
    bad = sorted({c for c in name if not re.fullmatch(r"[A-Za-z0-9_.-]", c)})
    if bad:
        shown = ", ".join("a space" if c == " " else f"'{c}'" for c in bad)
        why = f"it contains {shown}"
    elif ".." in name:
        why = "it contains '..'"
    elif len(name) > 80:
        why = f"it is {len(name)} characters long"
    else:
        why = "it starts or ends with '.' or '-'"
    raise RunError(f"The run was not renamed to {name!r}: {why}. {NAME_RULE}")


def rename_run(run_dir: str | Path, new_name: str, root: str | Path) -> Path:
    """Rename a run folder to ``new_name`` as typed (surrounding spaces aside); returns the
    new path.

    Raises:
        RunError: outside ``root``, a name that is not a safe folder name as it stands
            (:func:`check_run_name`), or a run with that name exists.
    """
    src = _inside(Path(root), Path(run_dir))
    _not_training(src, "renamed")
    name = check_run_name(new_name)
    dest = src.parent / name
    if dest == src:
        return src
    if dest.exists():
        raise RunError(f"a run named {name!r} already exists; choose another name")
    src.rename(dest)
    return dest


def delete_run(run_dir: str | Path, root: str | Path) -> None:
    """Delete a run folder and everything in it (only a run folder directly under ``root``).

    Raises:
        RunError: outside ``root``, or a run that is training now.
    """
    src = _inside(Path(root), Path(run_dir))
    _not_training(src, "deleted")
    shutil.rmtree(src)


def _not_training(run_dir: Path, done: str) -> None:
    """Refuse to move or remove a run a live process is writing: its training would fail
    on its next write, and a moved run would keep a lock naming the live process."""
    if run_owner_alive(run_dir):
        raise RunError(
            f"{run_dir.name} is training now, so it cannot be {done}: stop it first (Stop on "
            "the Train page, or Ctrl-C), then try again"
        )


def status_label(run: Run, live: bool = False) -> str:
    """What to call a run's status on screen.

    ``live``: a job of this server is writing it. Otherwise :attr:`Run.status` decides: a
    run whose ``run.json`` says ``running`` while no live process holds its ``run.lock``
    (killed, crashed, machine restarted) is ``interrupted``. A run that ended before its
    first epoch says so (``stopped before epoch 1``): its metrics are of an untrained model.
    """
    if live:
        return "running"
    return f"{run.status} before epoch 1" if run.untrained else run.status
