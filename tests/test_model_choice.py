"""From a model name to a counter: exact where a tokenizer exists, labelled estimate where not."""

from __future__ import annotations

from pathlib import Path

import pytest
from tokenizers import Tokenizer, models, pre_tokenizers, trainers

from server.core.model_choice import ModelSettings, choose_model
from shared_schemas.model_catalog import ModelOverride


@pytest.fixture
def tokenizer_json(tmp_path: Path) -> Path:
    tokenizer = Tokenizer(models.BPE(unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer.train_from_iterator(
        ["a tiny local tokenizer for tests"] * 10, trainers.BpeTrainer(vocab_size=80)
    )
    path = tmp_path / "workspace" / "tokenizers" / "tokenizer.json"
    path.parent.mkdir(parents=True)
    tokenizer.save(str(path))
    return path


CHOICES = [
    # name, catalog id, exact
    ("gpt-4o-mini", "gpt-4o-mini", True),
    ("openai/GPT-4o", "gpt-4o", True),
    ("gpt-4", "gpt-4", True),
    ("claude-sonnet-4-5", "claude-sonnet-4-5", False),
    ("googleai/gemini-2.5-flash", "gemini-2.5-flash", False),
    ("googleai/gemini-2.0-flash", "gemini-2.0-flash", False),
    ("azure/gpt-4o", "azure/gpt-4o", True),
    (
        "us.anthropic.claude-3-5-sonnet-20240620-v1:0",
        "us.anthropic.claude-3-5-sonnet-20240620-v1:0",
        False,
    ),
    ("gpt-3.5-turbo-instruct", "vercel_ai_gateway/openai/gpt-3.5-turbo-instruct", True),
    (None, "gpt-4o-mini", True),  # no model named: the default
    # Unknown: priced as the default, and its count an estimate, whatever the default's is.
    ("no-such-model", "gpt-4o-mini", False),
]


@pytest.mark.parametrize(("name", "model_id", "exact"), CHOICES)
def test_model_choice(
    name: str | None, model_id: str, exact: bool, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty-cache"))
    choice = choose_model(name, ModelSettings())
    assert (choice.entry.id, choice.exact) == (model_id, exact)
    if not exact:
        assert choice.counter.note and "estimated" in choice.counter.note


def test_unknown_model_says_it_uses_the_default() -> None:
    choice = choose_model("no-such-model", ModelSettings(default_model="gpt-4o"))
    assert choice.entry.id == "gpt-4o"
    assert any("unknown model 'no-such-model'" in note for note in choice.notes)


@pytest.mark.parametrize("default", ["gpt-4o-mini", "gpt-4"])
def test_unknown_model_is_an_estimate_in_the_default_encoding(default: str) -> None:
    # Before: counted with the default's counter and reported exact (a Gemini 2.0 Dotprompt
    # file said `exact: true` with o200k_base; Gemini 2.0 is in the catalog now).
    choice = choose_model("googleai/gemini-1.5-flash", ModelSettings(default_model=default))
    encoding = "cl100k_base" if default == "gpt-4" else "o200k_base"
    assert (choice.entry.id, choice.counter.name, choice.exact) == (default, encoding, False)
    assert choice.counter.note is not None and "estimated with" in choice.counter.note
    assert choice.counter.note in choice.notes


@pytest.mark.parametrize(
    ("name", "encoding"),
    [
        ("azure/gpt-35-turbo-instruct", "cl100k_base"),
        ("davinci-002", "cl100k_base"),
        ("gpt-4-32k-0314", "cl100k_base"),
        ("chatgpt-4o-latest", "o200k_base"),
        ("openai/gpt-4.5-preview", "o200k_base"),
    ],
)
def test_unknown_openai_model_counts_with_tiktokens_encoding_for_it(
    name: str, encoding: str
) -> None:
    # tiktoken's model map is OpenAI's own word: the count is exact though the price is not.
    choice = choose_model(name, ModelSettings(default_model="gpt-4o-mini"))
    assert (choice.entry.id, choice.counter.name, choice.exact) == ("gpt-4o-mini", encoding, True)
    assert any(f"priced as gpt-4o-mini, counted with {encoding}" in n for n in choice.notes)


def test_genkit_gemini_2_flash_is_priced_and_sized_as_gemini() -> None:
    # The example: 0.8% of a 128k window at gpt-4o-mini's prices, before.
    choice = choose_model("googleai/gemini-2.0-flash", ModelSettings())
    entry = choice.entry
    assert (entry.context_window, entry.input_usd_per_million, entry.output_usd_per_million) == (
        1_048_576,
        0.1,
        0.4,
    )
    assert not choice.exact
    assert choice.notes == (
        "no local tokenizer is known for gemini-2.0-flash (google); estimated with o200k_base",
    )


def test_unknown_model_whose_encoding_is_not_bundled_is_an_estimate() -> None:
    choice = choose_model("text-davinci-003", ModelSettings())
    assert (choice.counter.name, choice.exact) == ("o200k_base", False)
    assert choice.counter.note is not None and "p50k_base, is not bundled" in choice.counter.note


def test_open_weight_model_is_exact_with_a_cached_tokenizer(
    tokenizer_json: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    snapshot = tmp_path / "hub" / "models--Qwen--Qwen2.5-7B-Instruct" / "snapshots" / "abc"
    snapshot.mkdir(parents=True)
    (snapshot / "tokenizer.json").write_bytes(tokenizer_json.read_bytes())
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    choice = choose_model("qwen2.5-7b-instruct", ModelSettings())
    assert choice.exact and choice.counter.name == "Qwen/Qwen2.5-7B-Instruct tokenizer"


def test_open_weight_model_without_a_local_tokenizer_is_estimated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty"))
    choice = choose_model("qwen2.5-7b-instruct", ModelSettings())
    assert not choice.exact
    assert choice.counter.note is not None and "no local tokenizer.json" in choice.counter.note


BAD_TOKENIZER_PATHS = [
    # tokenizerPath relative to the workspace, content (None: no file), what the note says
    ("tokenizers/absent.json", None, "does not exist"),
    ("tokenizers/corrupt.json", '{"model": ', "unreadable"),
    ("../outside.json", "{}", "outside the workspace"),
]


@pytest.mark.parametrize(("raw_path", "content", "says"), BAD_TOKENIZER_PATHS)
def test_a_bad_tokenizer_file_falls_back_to_an_estimate(
    tmp_path: Path, raw_path: str, content: str | None, says: str
) -> None:
    root = tmp_path / "workspace"
    (root / "tokenizers").mkdir(parents=True)
    if content is not None:
        (root / raw_path).resolve().write_text(content)
    override = ModelOverride.model_validate({"tokenizerPath": raw_path})
    settings = ModelSettings(overrides=(("gpt-4o-mini", override),), workspace_root=root)
    choice = choose_model("gpt-4o-mini", settings)
    assert not choice.exact
    assert choice.counter.note is not None and says in choice.counter.note


def test_a_configured_tokenizer_file_counts_exactly(tokenizer_json: Path) -> None:
    root = tokenizer_json.parent.parent
    override = ModelOverride.model_validate(
        {
            "contextWindow": 8192,
            "inputUsdPerMillion": 0.1,
            "outputUsdPerMillion": 0.2,
            "tokenizerPath": "tokenizers/tokenizer.json",
        }
    )
    settings = ModelSettings(overrides=(("house-model", override),), workspace_root=root)
    choice = choose_model("house-model", settings)
    assert choice.exact and choice.entry.context_window == 8192
    expected = len(Tokenizer.from_file(str(tokenizer_json)).encode("a tiny test").ids)
    assert choice.counter.count("a tiny test") == expected
