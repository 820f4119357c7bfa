"""Every relative link in README.md and docs/*.md leads somewhere: the file
exists, and an anchor (`#...`) names a heading of that file as GitHub writes
it. Nothing is skipped. Standard library only."""

from __future__ import annotations

import pathlib
import re
import unittest

REPO = pathlib.Path(__file__).resolve().parents[2]
LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
FENCE = re.compile(r"^\s*(```|~~~)")
INLINE_CODE = re.compile(r"(`+).*?\1")


def documents() -> list[pathlib.Path]:
    return [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]


def prose_lines(text: str) -> list[tuple[int, str]]:
    """The lines outside fenced code blocks, with their numbers."""
    lines, fenced = [], False
    for number, line in enumerate(text.splitlines(), 1):
        if FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            lines.append((number, line))
    return lines


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, markup and punctuation
    dropped, spaces to hyphens."""
    text = re.sub(r"`([^`]*)`", r"\1", heading.strip())
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = text.lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: pathlib.Path) -> set[str]:
    """Every anchor of a Markdown file; repeated headings get -1, -2, ..."""
    seen: dict[str, int] = {}
    result = set()
    for _, line in prose_lines(path.read_text()):
        match = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if not match:
            continue
        base = slug(match.group(1))
        count = seen.get(base, 0)
        seen[base] = count + 1
        result.add(base if count == 0 else f"{base}-{count}")
    return result


def links(path: pathlib.Path) -> list[tuple[int, str]]:
    """The link targets of a Markdown file's prose, inline code removed."""
    found = []
    for number, line in prose_lines(path.read_text()):
        for match in LINK.finditer(INLINE_CODE.sub("", line)):
            found.append((number, match.group(1)))
    return found


def broken(path: pathlib.Path) -> list[str]:
    """What is wrong with each relative link of `path`."""
    problems = []
    for number, target in links(path):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):
            continue  # an absolute URL (https:, mailto:): not a file here
        file_part, _, anchor = target.partition("#")
        destination = (path.parent / file_part).resolve() if file_part else path
        where = f"{path.relative_to(REPO)}:{number}: {target}"
        if not destination.exists():
            problems.append(f"{where}: no such file")
        elif anchor:
            if destination.suffix != ".md" or destination.is_dir():
                problems.append(f"{where}: an anchor into a file that is not Markdown")
            elif anchor not in anchors(destination):
                problems.append(f"{where}: no heading with this anchor")
    return problems


class SlugTest(unittest.TestCase):

    def test_github_slugs(self) -> None:
        self.assertEqual(slug("Issuance: callers, policy, audit"),
                         "issuance-callers-policy-audit")
        self.assertEqual(slug("The `vercel-tokens` CLI"), "the-vercel-tokens-cli")
        self.assertEqual(slug("VercelUserTokensMetricsAbsent"),
                         "vercelusertokensmetricsabsent")

    def test_a_broken_link_is_found(self) -> None:
        probe = REPO / "docs" / ".links_test_probe.md"
        probe.write_text("# Here\n\n[ok](#here) [gone](nowhere.md) "
                         "[bad](../README.md#no-such-heading)\n"
                         "```\n[in code](ignored.md)\n```\n")
        try:
            self.assertEqual(len(broken(probe)), 2, broken(probe))
        finally:
            probe.unlink()


class LinksTest(unittest.TestCase):

    def test_documents_exist(self) -> None:
        names = {p.name for p in documents()}
        for name in ("api.md", "issuance.md", "operations.md", "runbooks.md",
                     "security.md", "performance.md", "clients.md"):
            self.assertIn(name, names)

    def test_every_relative_link_resolves(self) -> None:
        problems = [problem for path in documents() for problem in broken(path)]
        self.assertEqual(problems, [], "\n".join(problems))

    def test_readme_is_a_front_page(self) -> None:
        readme = (REPO / "README.md").read_text()
        lines = readme.splitlines()
        self.assertLessEqual(len(lines), 300)
        self.assertTrue(lines[3].startswith("make run"), lines[:6])
        self.assertTrue(lines[4].startswith("make test"), lines[:6])
        self.assertIn("make demo", readme)
        for name in sorted(p.name for p in (REPO / "docs").glob("*.md")):
            self.assertIn(f"(docs/{name})", readme, f"README links docs/{name}")


if __name__ == "__main__":
    unittest.main()
