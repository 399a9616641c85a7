"""Before and after a run, from the editor: check the training interpreter (and install the
`[train]` extra into it), offer the wizard's choices, plan and write a `*.train.yaml`, and try a
finished run's adapter.

Everything that runs an interpreter is refused in an untrusted workspace. The interpreter is the
folder's `promptweight.training.python` (default: the server's), always started as an argument
list in isolated mode (`-I`). The trainer's answers are `shared_schemas` models on its stdout;
the server never imports torch.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lsprotocol import types
from pydantic import ValidationError
from pygls.capabilities import get_capability
from pygls.uris import from_fs_path, to_fs_path

from server.core.advisor.short_prompt import newest_adapter
from server.core.atomic_files import write_new_file_atomically
from server.core.training.choices import training_choices
from server.core.training.config_file import config_text, free_config_path
from server.core.training.evaluation import (
    EvalSetupError,
    completed_report,
    eval_cases,
    eval_command,
    held_out_records,
    read_prompt,
)
from server.core.training.install_plan import install_plan
from server.core.training.run_config import RunConfig
from server.core.training.run_estimate import NoEstimate, estimate_run
from server.lsp import advice, progress_cancel
from server.lsp.folders import FolderContext, contains
from server.lsp.server import PromptweightServer
from server.lsp.wire import first_argument
from shared_schemas.evaluation import CompareAdapterParams, EvalResult
from shared_schemas.methods import (
    COMPARE_ADAPTER,
    CREATE_TRAINING_CONFIG,
    INSTALL_TRAINING_EXTRA,
    PLAN_TRAINING,
    TRAINING_CHOICES,
    TRAINING_ENVIRONMENT,
    TRY_ADAPTER,
)
from shared_schemas.training import DoctorReport
from shared_schemas.training_setup import (
    CreateTrainingConfigParams,
    CreateTrainingConfigResult,
    InstallTrainingExtraParams,
    InstallTrainingExtraResult,
    TrainingChoices,
    TrainingChoicesParams,
    TrainingEnvironment,
    TrainingEnvironmentParams,
    TrainingPlan,
    TrainingPlanParams,
    TryAdapterParams,
    TryAdapterResult,
)

log = logging.getLogger(__name__)
UNTRUSTED = "this runs code: trust the workspace first"
DOCTOR_TIMEOUT_S = 300.0  # the 4-bit check initialises CUDA, which can take a while
TRIAL_TIMEOUT_S = 900.0  # loading a real base model in 4-bit, then generating
# Asked of the training interpreter: can it import the trainer at all?
HAS_TRAINER = "import importlib.util as u, sys; sys.exit(u.find_spec('server.training') is None)"


@dataclass(frozen=True)
class Finished:
    status: int | None  # None: it could not start, or ran out of time
    stdout: str
    stderr: str


def _python(folder: FolderContext) -> str:
    return folder.options.training_python or sys.executable


def _folder(ls: PromptweightServer, uri: str | None) -> FolderContext:
    return ls.folder_of(uri or "")


async def _run(command: list[str], cwd: Path | None, limit_s: float) -> Finished:
    try:
        process = await asyncio.create_subprocess_exec(
            *command,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            stdin=asyncio.subprocess.DEVNULL,
            cwd=str(cwd) if cwd else None,
        )
    except OSError as error:
        return Finished(None, "", f"cannot start {command[0]}: {error.strerror or error}")
    try:
        out, err = await asyncio.wait_for(process.communicate(), limit_s)
    except TimeoutError:
        process.kill()
        await process.wait()
        return Finished(None, "", f"{command[0]} did not answer within {limit_s:.0f} s")
    return Finished(
        process.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")
    )


def _last_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""


async def training_environment(ls: PromptweightServer, raw: Any) -> dict[str, object]:
    params = TrainingEnvironmentParams.model_validate(raw or {})
    folder = _folder(ls, params.config or params.folder)
    python = _python(folder)
    if not ls.trusted:
        return TrainingEnvironment(python=python, report=None, error=UNTRUSTED).to_wire()
    command = [python, "-I", "-m", "server.training", "doctor"]
    config_path = to_fs_path(params.config) if params.config else None
    if config_path:
        command.append(config_path)
    done = await _run(command, folder.root, DOCTOR_TIMEOUT_S)
    try:
        report = DoctorReport.model_validate_json(_last_line(done.stdout))
    except ValidationError:
        has_trainer = (await _run([python, "-I", "-c", HAS_TRAINER], None, 60)).status == 0
        error = _last_line(done.stderr) or _last_line(done.stdout) or "no answer"
        return TrainingEnvironment(
            python=python,
            report=None,
            error=error,
            install=None if has_trainer else install_plan(python, False, None),
        ).to_wire()
    plan = install_plan(python, True, None) if report.missing else None
    return TrainingEnvironment(python=python, report=report, install=plan).to_wire()


async def install_training_extra(ls: PromptweightServer, raw: Any) -> dict[str, object]:
    params = InstallTrainingExtraParams.model_validate(first_argument(raw) or {})
    folder = _folder(ls, params.folder)
    python = _python(folder)

    def result(installed: bool, message: str) -> dict[str, object]:
        return InstallTrainingExtraResult(installed=installed, message=message).to_wire()

    if not ls.trusted:
        return result(False, UNTRUSTED)
    has_trainer = (await _run([python, "-I", "-c", HAS_TRAINER], None, 60)).status == 0
    plan = install_plan(python, has_trainer, params.find_links)
    log.info("installing the training libraries: %s", plan.command_line)
    status = await _follow_install(ls, plan.command)
    if status == 0:
        return result(True, f"the training libraries are installed in {python}")
    reason = "it was cancelled" if status is None else f"pip ended with status {status}"
    return result(False, f"{reason}; run it by hand: {plan.command_line}")


async def _follow_install(ls: PromptweightServer, command: list[str]) -> int | None:
    """pip's lines to the log and to cancellable progress; None when cancelled or unstartable."""
    try:
        process = await asyncio.create_subprocess_exec(
            *command,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            stdin=asyncio.subprocess.DEVNULL,
        )
    except OSError as error:
        log.error("cannot start %s: %s", command[0], error)
        return None
    token = f"promptweight-install-{uuid.uuid4()}"
    progress = get_capability(ls.client_capabilities, "window.work_done_progress", False)
    cancelled = asyncio.Event()

    async def cancel() -> None:
        cancelled.set()

    if progress:
        with contextlib.suppress(Exception):
            await ls.work_done_progress.create_async(token)
            ls.work_done_progress.begin(
                token,
                types.WorkDoneProgressBegin(
                    title="Promptweight: installing the training libraries", cancellable=True
                ),
            )
            progress_cancel.on_cancel(token, cancel)

    async def stop_when_cancelled() -> None:
        await cancelled.wait()
        process.terminate()

    watcher = asyncio.create_task(stop_when_cancelled())
    assert process.stdout is not None
    async for raw_line in process.stdout:
        line = raw_line.decode("utf-8", "replace").rstrip()
        log.info("pip: %s", line)
        if progress and line:
            with contextlib.suppress(Exception):
                ls.work_done_progress.report(
                    token, types.WorkDoneProgressReport(message=line[:120])
                )
    status = await process.wait()
    watcher.cancel()
    progress_cancel.forget(token)
    if progress:
        with contextlib.suppress(Exception):
            ls.work_done_progress.end(token, types.WorkDoneProgressEnd())
    return None if cancelled.is_set() else status


async def choices(ls: PromptweightServer, raw: Any) -> dict[str, object]:
    params = TrainingChoicesParams.model_validate(raw)
    root = _folder(ls, params.folder).root
    if root is None:
        return TrainingChoices(datasets=[], base_models=[], configs=[]).to_wire()
    return (await asyncio.to_thread(training_choices, root)).to_wire()


async def plan_training(ls: PromptweightServer, raw: Any) -> dict[str, object]:
    params = TrainingPlanParams.model_validate(raw)
    root = _folder(ls, params.folder).root
    if root is None:
        raise ValueError(f"{params.folder} is not a workspace folder")
    path = free_config_path(root, params.config.name)
    text = config_text(params.config, path.name)
    run = RunConfig(params.config, root)
    try:
        # No GPU is known here (the doctor knows): the estimate as for a bfloat16 GPU.
        found = await asyncio.to_thread(estimate_run, run, True)
        note = None
    except NoEstimate as error:
        found, note = None, str(error)
    uri = from_fs_path(str(path)) or path.as_uri()
    return TrainingPlan(uri=uri, text=text, estimate=found, estimate_note=note).to_wire()


async def create_training_config(ls: PromptweightServer, raw: Any) -> dict[str, object]:
    params = CreateTrainingConfigParams.model_validate(first_argument(raw))

    def result(written: bool, message: str) -> dict[str, object]:
        return CreateTrainingConfigResult(written=written, message=message).to_wire()

    if not ls.trusted:
        return result(False, "writing files from commands needs a trusted workspace")
    path = to_fs_path(params.uri)
    folder = _folder(ls, params.uri)
    if path is None or folder.root is None or not contains(folder.root, path):
        return result(False, f"{params.uri} is outside the workspace folders")
    if not path.endswith(".train.yaml"):
        return result(False, "a run config's name ends in .train.yaml")
    try:
        write_new_file_atomically(Path(path), params.text.encode("utf-8"))
    except FileExistsError:
        return result(False, f"{Path(path).name} exists already: it was left as it is")
    except OSError as error:
        return result(False, f"cannot write {path}: {error.strerror or error}")
    return result(True, f"wrote {Path(path).name}")


async def try_adapter(ls: PromptweightServer, raw: Any) -> dict[str, object]:
    params = TryAdapterParams.model_validate(first_argument(raw))

    def refused(error: str) -> dict[str, object]:
        return TryAdapterResult(trial=None, error=error).to_wire()

    if not ls.trusted:
        return refused(UNTRUSTED)
    run_dir = Path(params.run_dir)
    folder = _folder(ls, from_fs_path(str(run_dir)) or run_dir.as_uri())
    if folder.root is None or not contains(folder.root, str(run_dir)):
        return refused(f"{run_dir} is outside the workspace folders")
    command = [_python(folder), "-I", "-m", "server.training", "try", str(run_dir)]
    command += ["--max-new-tokens", str(params.max_new_tokens)]
    done = await _run(command, folder.root, TRIAL_TIMEOUT_S)
    try:
        return TryAdapterResult.model_validate_json(_last_line(done.stdout)).to_wire()
    except ValidationError:
        return refused(_last_line(done.stderr) or "the trainer did not answer")


async def compare_adapter(ls: PromptweightServer, raw: Any) -> dict[str, object]:
    """The newest fine-tune of a prompt against the prompt (`promptweight eval`), kept as the
    run's `eval.json`; the prompt's advice is worked out again with it as the proof."""
    params = CompareAdapterParams.model_validate(first_argument(raw))

    def refused(error: str) -> dict[str, object]:
        return EvalResult(report=None, error=error).to_wire()

    if not ls.trusted:
        return refused(UNTRUSTED)
    path = to_fs_path(params.prompt)
    folder = _folder(ls, params.prompt)
    if path is None or folder.root is None:
        return refused(f"{params.prompt} is outside the workspace folders")
    prompt = Path(path)
    run_dir = await asyncio.to_thread(
        newest_adapter, prompt, folder.root, folder.options.dataset_folder
    )
    if run_dir is None:
        return refused(
            "no finished fine-tune of this prompt yet: export its examples and start "
            "fine-tuning on that dataset"
        )
    try:
        analysis = await asyncio.to_thread(read_prompt, prompt, folder.settings)
        assert analysis.document is not None  # read_prompt refuses a file without one
        cases = eval_cases(analysis.document, held_out_records(run_dir))
    except EvalSetupError as error:
        return refused(str(error))
    command = eval_command(
        _python(folder), run_dir, prompt, params.max_new_tokens, params.batch_size
    )
    done = await _run(command, folder.root, TRIAL_TIMEOUT_S)
    try:
        answer = EvalResult.model_validate_json(_last_line(done.stdout))
    except ValidationError:
        return refused(_last_line(done.stderr) or "the trainer did not answer")
    if answer.report is None:
        return answer.to_wire()
    report = await asyncio.to_thread(
        completed_report, answer.report, analysis, cases, None, run_dir
    )
    advice.forget(params.prompt)  # its proof has changed
    return EvalResult(report=report).to_wire()


def register(server: PromptweightServer) -> None:
    server.feature(TRAINING_ENVIRONMENT.name)(training_environment)
    server.feature(TRAINING_CHOICES.name)(choices)
    server.feature(PLAN_TRAINING.name)(plan_training)
    server.command(INSTALL_TRAINING_EXTRA.name)(install_training_extra)
    server.command(CREATE_TRAINING_CONFIG.name)(create_training_config)
    server.command(TRY_ADAPTER.name)(try_adapter)
    server.command(COMPARE_ADAPTER.name)(compare_adapter)
