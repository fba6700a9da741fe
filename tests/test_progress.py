"""The package's progress bar: silent when disabled, a working bar otherwise."""

from innocap_analysis.progress import progress_bar


def test_disabled_bar_yields_everything_and_prints_nothing(capsys):
    assert list(progress_bar(range(5), enabled=False, desc="x")) == [0, 1, 2, 3, 4]
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_manual_bar_counts_updates(capsys):
    with progress_bar(total=10, enabled=True, desc="draws") as bar:
        bar.update(4)
        bar.update(6)
        assert bar.n == 10
    assert "IProgress" not in capsys.readouterr().err
