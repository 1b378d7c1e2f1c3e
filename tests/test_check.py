"""`build.py check`: the same verdict and messages as a build, and not one file written."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from .conftest import PROJECT, article, patch, tree_digest


def snapshot(root: Path) -> tuple[list[str], dict[str, str]]:
    """Every path under root (folders too) and every file's hash."""
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*")), tree_digest(root)


def error_lines(err: str) -> list[str]:
    """The path:line messages and hints, without the closing count line that differs by command."""
    return [line for line in err.splitlines() if "error(s)" not in line]


def test_check_exits_1_on_a_broken_internal_link_and_writes_nothing(make_site) -> None:
    site = make_site({
        "content/a.md": article("Bài một", body="Xem [bài hai](bai-hia.md) nhé."),
        "content/bai-hai.md": article("Bài hai"),
    })
    before = snapshot(site.root)
    checked = site.run("check")
    assert checked.code == 1
    assert "content/a.md:6: link to a missing article: bai-hia.md" in checked.err
    assert "Did you mean 'bai-hai.md'?" in checked.err
    assert checked.out == ""
    assert snapshot(site.root) == before
    assert not site.output.exists()

    built = site.run("build")
    assert built.code == 1
    assert error_lines(built.err) == error_lines(checked.err)
    assert not site.output.exists()


def test_check_reports_template_errors_as_a_build_does(make_site) -> None:
    site = make_site({"content/a.md": article("Bài một")})
    shutil.copytree(PROJECT / "templates", site.root / "templates")
    templates = ["--templates", str(site.root / "templates")]
    article_html = site.root / "templates" / "article.html"
    good = article_html.read_text(encoding="utf-8")
    broken = {  # found while compiling, and only while rendering a page
        "{% endfor %}": "templates/article.html:1: template syntax error",
        "{{ article.titel }}": "templates/article.html:1: template error: ",
    }
    for line, message in broken.items():
        article_html.write_text(line + "\n" + good, encoding="utf-8")
        before = snapshot(site.root)
        checked = site.run("check", *templates)
        assert checked.code == 1
        assert message in checked.err
        assert snapshot(site.root) == before
        built = site.run("build", *templates)
        assert (built.code, error_lines(built.err)) == (1, error_lines(checked.err))
        assert not site.output.exists()


def test_check_finds_two_files_claiming_one_output_path(make_site) -> None:
    """A clash found only while placing files: check must find it too, still writing nothing."""
    site = make_site({"content/a.md": article("Bài một"), "static/index.html": "<p>trang tĩnh</p>"})
    static = ["--static", str(site.root / "static")]
    before = snapshot(site.root)
    checked = site.run("check", *static)
    assert checked.code == 1
    assert "static/index.html: writes index.html, which the home page writes too" in checked.err
    assert snapshot(site.root) == before
    built = site.run("build", *static)
    assert (built.code, error_lines(built.err)) == (1, error_lines(checked.err))


def test_check_of_a_good_site_says_so_and_writes_nothing(make_site) -> None:
    site = make_site({"content/a.md": article("Bài một"),
                      "content/b.md": article("Bài hai", body="Xem [bài một](a.md).")})
    before = snapshot(site.root)
    checked = site.run("check")
    assert checked.code == 0, checked.err
    assert checked.out.startswith("checked 2 articles and ")
    assert "no errors" in checked.out
    assert snapshot(site.root) == before
    quiet = site.run("check", "--quiet")
    assert (quiet.code, quiet.out, quiet.err) == (0, "", "")

    site.build()  # now output/ and the build cache exist: check reads the cache, writes neither
    assert (site.root / ".cache").is_dir()
    before = snapshot(site.root)
    assert site.run("check").code == 0
    assert snapshot(site.root) == before
    (site.content / "b.md").write_text(article("Bài hai", body="[x](c.md)"), encoding="utf-8")
    before = snapshot(site.root)
    assert site.run("check").code == 1
    assert snapshot(site.root) == before


def test_the_pre_commit_hook_refuses_a_commit_with_errors(tmp_path: Path) -> None:
    """The README's hook, installed with its one command, in a fresh repository."""
    repo = tmp_path / "repo"
    repo.mkdir()
    shutil.copy(PROJECT / "build.py", repo)
    for folder in ("bulletin", "templates", "static", "hooks"):
        shutil.copytree(PROJECT / folder, repo / folder,
                        ignore=shutil.ignore_patterns("__pycache__"))
    (repo / "site.toml").write_text('title = "Bản tin"\n', encoding="utf-8")
    (repo / "content").mkdir()
    (repo / "content" / "a.md").write_text(article("Bài một"), encoding="utf-8")
    env = {**os.environ, "PYTHON": sys.executable, "GIT_AUTHOR_NAME": "Biên tập",
           "GIT_AUTHOR_EMAIL": "bt@example.vn", "GIT_COMMITTER_NAME": "Biên tập",
           "GIT_COMMITTER_EMAIL": "bt@example.vn"}

    def git(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True,
                              timeout=120)

    assert git("init", "-q").returncode == 0
    assert git("config", "core.hooksPath", "hooks").returncode == 0  # the README's install line
    git("add", ".")
    good = git("commit", "-q", "-m", "Bài một")
    assert good.returncode == 0, good.stderr

    (repo / "content" / "b.md").write_text(article("Bài hai", body="[x](khong-co.md)"),
                                           encoding="utf-8")
    git("add", ".")
    refused = git("commit", "-q", "-m", "Bài hai")
    assert refused.returncode != 0
    assert "content/b.md:6: link to a missing article: khong-co.md" in refused.stderr
    assert git("rev-list", "--count", "HEAD").stdout.strip() == "1"
    assert not (repo / "output").exists()


def test_check_after_a_build_still_renders_the_pages_whose_content_changed(make_site) -> None:
    """check skips pages the last build rendered from the same inputs, and only those."""
    site = make_site({"content/a.md": article("Bài một", topic="3"),
                      "content/b.md": article("Bài hai", topic="4")})
    shutil.copytree(PROJECT / "templates", site.root / "templates")
    patch(site.root / "templates", "article.html",
          '<h1 class="article-title">{{ article.title }}</h1>',
          '<h1 class="article-title">{{ article.title }} ({{ article.topic + 1 }})</h1>')
    templates = ["--templates", str(site.root / "templates")]
    site.build(*templates)
    assert site.page("/tin/bai-mot/").cssselect("h1")[0].text == "Bài một (4)"
    assert site.run("check", *templates).code == 0

    site.write({"content/b.md": article("Bài hai", topic='"bốn"')})  # valid front matter
    before = snapshot(site.root)
    checked = site.run("check", *templates)
    assert checked.code == 1
    assert "templates/article.html:12: template error: TypeError" in checked.err
    assert snapshot(site.root) == before
    built = site.run("build", *templates)
    assert (built.code, error_lines(built.err)) == (1, error_lines(checked.err))


def test_articles_saved_with_another_extension_are_not_skipped_in_silence(make_site) -> None:
    # Bai.MD (saved on Windows or macOS) and tin.markdown are not read: build and check said
    # "built 0 articles" / "checked 0 articles ... no errors", exit 0, and a build replaced
    # output/ with an empty site (every article page removed) without a word. Now a warning
    # names each file left out, and another says that the content folder has no article.
    site = make_site({"content/Bai-mot.MD": article("Bài một"),
                      "content/tin-hai.markdown": article("Bài hai")})
    for name in ("check", "build"):
        result = site.run(name)
        said = (result.out + result.err).lower()
        assert "bai-mot.md" in said or "no article" in said, (name, result.out, result.err)


def test_a_file_left_out_for_its_ending_is_named_and_the_others_build(make_site) -> None:
    site = make_site({"content/a.md": article("Bài một"),
                      "content/Bai-hai.MD": article("Bài hai"),
                      "content/anh/index.Md": article("Ảnh"),
                      "content/ghi-chu.txt": "không phải bài",
                      "content/.an.markdown": article("Ẩn")})
    result = site.run()
    assert result.code == 0, result.err
    assert "content/Bai-hai.MD: warning: not read: only files ending in .md are articles, and " \
        "this one ends in .MD\n    hint: Rename it to Bai-hai.md to publish it." in result.err
    assert "content/anh/index.Md: warning: not read" in result.err
    assert "ghi-chu.txt" not in result.err and ".an.markdown" not in result.err  # not Markdown
    assert "no article" not in result.err
    assert result.out.startswith("built 1 articles")
    again = site.run()  # the no-op repeats the warnings it stamped
    assert again.err == result.err


def test_a_file_left_out_in_a_bundle_or_by_an_odd_name_gets_advice_that_holds(
        make_site) -> None:
    # In a page bundle, "Rename it to ghi-chu.md" turned the warning into an error (a Markdown
    # file in a bundle is not an article); a name that is not UTF-8 was shown as \udcff.
    site = make_site({"content/chay/index.md": article("Cháy"),
                      "content/chay/ghi-chu.MD": article("Ghi chú")})
    (site.content / os.fsdecode(b"bai\xff.MD")).write_text(article("Bài"), encoding="utf-8")
    result = site.run()
    assert result.code == 0, result.err
    assert "content/chay/ghi-chu.MD: warning: not read: only files ending in .md are articles, " \
        "and this one ends in .MD\n    hint: A page bundle holds one article, its index.md: " \
        "to publish this one, move it out of content/chay/ and rename it to ghi-chu.md." \
        in result.err, result.err
    assert "content/bai\ufffd.MD: warning: not read" in result.err, result.err
    assert "\\udcff" not in result.err  # the escape the message used to print


def test_an_empty_content_folder_is_a_warning_in_build_and_check(make_site) -> None:
    site = make_site({"content/.gitkeep": ""})
    for name in ("check", "build"):
        result = site.run(name)
        assert result.code == 0, result.err
        assert result.err.startswith("content: warning: no article: the content folder holds no "
                                     ".md file"), (name, result.err)
