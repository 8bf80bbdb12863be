import Foundation
import Testing

/// The Python interpreter of `.venv` (made by `.ci/run` from Tests/python-requirements.txt),
/// for tests that drive Pollster with clients nobody here wrote.
enum PythonClients {
    /// `$POLLSTER_PYTHON`, else `<repo>/.venv/bin/python3` when it exists.
    static let interpreter: String? = {
        if let path = ProcessInfo.processInfo.environment["POLLSTER_PYTHON"] { return path }
        let venv = Repository.root.appendingPathComponent(".venv/bin/python3").path
        return FileManager.default.isExecutableFile(atPath: venv) ? venv : nil
    }()

    /// CI sets `POLLSTER_REQUIRE_PYTHON=1`: a missing client then fails instead of skipping.
    static let required = ProcessInfo.processInfo.environment["POLLSTER_REQUIRE_PYTHON"] == "1"

    /// A trait for tests that need the venv: enabled when it exists, or when CI requires it
    /// (so a missing install fails loudly there).
    static var available: ConditionTrait {
        .enabled(
            if: interpreter != nil || required,
            "no .venv/bin/python3: run `python3 -m venv .venv && .venv/bin/pip install -r Tests/python-requirements.txt`"
        )
    }
}
