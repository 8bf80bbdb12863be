import ArgumentParser
import Pollster
import PollsterCore

/// Inline sizes of the engine's value types (they live in async frames while a job waits).
struct SizesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sizes", abstract: "Print MemoryLayout sizes.")
    func run() {
        func show<T>(_ type: T.Type) { print("\(T.self): \(MemoryLayout<T>.size)") }
        show(ToolMethod.self)
        show(MethodPlan.self)
        show(MethodConfig.self)
        show(AdapterConfig.self)
        show(PollingPlan.self)
        show(StatusClassifier.self)
        show(PollSchedule.self)
        show(ToolResult.self)
        show(DetectionReport.self)
        show(InvokeOptions.self)
        show(TemplateContext.self)
        show(TransportResponse.self)
        show(TransportRequest.self)
        show(JSONValue.self)
        show(Secrets.self)
        show(PollsterError.self)
    }
}
