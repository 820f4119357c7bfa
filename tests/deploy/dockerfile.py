"""Reads the repository's Dockerfile and .dockerignore, for tests that cannot
run a Docker engine: what each stage is built from, what it copies, and the
build context Docker would send.

Only the Dockerfile syntax this repository uses is understood: ARG defaults
before the first FROM, `FROM image AS name`, shell-form instructions with `\\`
continuations, and `COPY [--from=stage] src... dest`; .dockerignore patterns
without `!` exceptions.
"""

import fnmatch
import pathlib
import shlex
import shutil

REPO = pathlib.Path(__file__).resolve().parents[2]
DOCKERFILE = REPO / "Dockerfile"
DOCKERIGNORE = REPO / ".dockerignore"


class Stage:
    def __init__(self, name, base):
        self.name = name
        self.base = base
        self.instructions = []  # (KEYWORD, rest of the line)

    def all(self, keyword):
        return [rest for k, rest in self.instructions if k == keyword]

    def last(self, keyword):
        found = self.all(keyword)
        assert found, f"stage {self.name} has no {keyword}"
        return found[-1]

    def copies(self):
        """(source stage or None, [sources], destination) of each COPY."""
        result = []
        for rest in self.all("COPY"):
            words = shlex.split(rest)
            source_stage = None
            while words[0].startswith("--"):
                option, _, value = words.pop(0)[2:].partition("=")
                assert option == "from", f"COPY option --{option} unknown"
                source_stage = value
            result.append((source_stage, words[:-1], words[-1]))
        return result


def logical_lines(text):
    """The Dockerfile's instructions, continuations joined, comments dropped."""
    lines, current = [], ""
    for raw in text.splitlines():
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue  # also inside a continued instruction, as Docker does
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        lines.append(current + stripped)
        current = ""
    assert not current, "Dockerfile ends inside a continued line"
    return lines


def stages():
    """The Dockerfile's stages by name, in order, bases with ARGs resolved."""
    args, result = {}, {}
    for line in logical_lines(DOCKERFILE.read_text()):
        keyword, _, rest = line.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            words = rest.split()
            assert len(words) == 3 and words[1].upper() == "AS", line
            base = words[0]
            for name, value in args.items():
                base = base.replace("${" + name + "}", value)
            stage = Stage(words[2], base)
            result[stage.name] = stage
        elif not result:
            assert keyword == "ARG", f"{keyword} before the first FROM"
            name, _, value = rest.partition("=")
            args[name] = value
        else:
            list(result.values())[-1].instructions.append((keyword, rest))
    return result


def ignore_patterns():
    patterns = []
    for line in DOCKERIGNORE.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            assert not line.startswith("!"), "exceptions are not understood"
            patterns.append(line.strip("/"))
    return patterns


def ignored(relative_path, patterns):
    """Whether Docker leaves the path (or a folder holding it) out."""
    parts = pathlib.PurePosixPath(relative_path).parts
    for i in range(1, len(parts) + 1):
        prefix = "/".join(parts[:i])
        for p in patterns:
            if fnmatch.fnmatchcase(prefix, p) or (
                    p.startswith("**/")
                    and fnmatch.fnmatchcase(parts[i - 1], p[3:])):
                return True
    return False


def stage_build_context(stage_name, workdir, target):
    """Recreates in target what `stage_name`'s COPY lines put in `workdir`,
    from the files .dockerignore lets into the context. File times are kept
    so that a build folder reused across runs rebuilds only what changed.

    Only COPYs that keep the context's layout are understood (`COPY a/ a/`,
    `COPY f1 f2 ./`, `COPY d/f d/`), which is all the build stage needs.
    """
    stage = stages()[stage_name]
    assert stage.last("WORKDIR") == workdir
    patterns = ignore_patterns()
    target = pathlib.Path(target)
    if target.exists():
        shutil.rmtree(target)
    for source_stage, sources, dest in stage.copies():
        assert source_stage is None, "a build-stage COPY --from"
        for src in sources:
            src_path = REPO / src
            src_dir = pathlib.PurePosixPath(src)
            if not src_path.is_dir():
                src_dir = src_dir.parent
            assert pathlib.PurePosixPath(dest) == src_dir, (
                f"COPY {src} {dest} moves files; the staging cannot follow")
            files = [src_path] if src_path.is_file() else sorted(
                p for p in src_path.rglob("*") if p.is_file())
            kept = [f for f in files
                    if not ignored(f.relative_to(REPO).as_posix(), patterns)]
            assert kept, f"COPY {src}: nothing of it in the build context"
            for f in kept:
                out = target / f.relative_to(REPO)
                out.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(f, out)
    return target
