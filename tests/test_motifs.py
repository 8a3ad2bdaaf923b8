import numpy as np
import pytest

from genoviz.motifs import (
    MotifError,
    counts_to_pfm,
    fetch_jaspar,
    information_content,
    reverse_complement_pfm,
    sample_from_pfm,
)


def test_jund_matrices_come_from_bundled_jaspar():
    m = fetch_jaspar("MA0491")
    assert m.name == "JUND" and m.id.startswith("MA0491.")
    assert m.pfm.shape == (4, m.width)
    np.testing.assert_allclose(m.pfm.sum(axis=0), 1.0)
    assert "TGA" in m.consensus()  # TGA(C/G)TCA, the AP-1 site


def test_unknown_matrix_raises():
    with pytest.raises(MotifError):
        fetch_jaspar("MA9999.9")


def test_sampling_follows_the_matrix():
    pfm = np.array([[1.0, 0.0, 0.5], [0.0, 0.0, 0.5], [0.0, 1.0, 0.0], [0.0, 0.0, 0.0]])
    codes = sample_from_pfm(pfm, 4000, np.random.default_rng(0))
    seqs = codes.tobytes().decode()
    cols = [seqs[j::3] for j in range(3)]
    assert set(cols[0]) == {"A"} and set(cols[1]) == {"G"}
    assert cols[2].count("A") / 4000 == pytest.approx(0.5, abs=0.03)


def test_pfm_helpers():
    pfm = counts_to_pfm(np.array([[10, 0], [0, 0], [0, 10], [0, 0]]))
    assert (pfm > 0).all()
    np.testing.assert_allclose(reverse_complement_pfm(reverse_complement_pfm(pfm)), pfm)
    ic = information_content(np.full((4, 3), 0.25))
    np.testing.assert_allclose(ic, 0.0, atol=1e-9)


def test_jaspar_works_from_any_thread():
    import threading

    fetch_jaspar.cache_clear()
    out, errors = [], []

    def work(mid):
        try:
            out.append(fetch_jaspar(mid).name)
        except Exception as e:  # collected and asserted below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(m,)) for m in ("MA0139", "MA0035", "MA0079")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and sorted(out) == ["CTCF", "GATA1", "SP1"]
