import Foundation
import OrderedCollections
import PollsterCore

/// Tencent VOD AIGC image (`/tencent/vod/`, version 2018-07-17): `CreateAigcImageTask` answers
/// `Response.TaskId`; `DescribeTaskDetail {"TaskId", "SubAppId"?}` answers `TaskType: "AigcImageTask"`,
/// `Status` WAITING / PROCESSING / FINISH and `AigcImageTask {TaskId, Status, ErrCode, Message, Progress,
/// Input, Output: {FileInfos: [{FileType, FileUrl, FileId, …}]}}`.
///
/// FINISH is not success on its own: a failure is FINISH with `ErrCode` 10001 and the script's message,
/// a cancellation FINISH with `ErrCode` 10002.
extension MockProviderRoutes {
    /// `ErrCode` of a failed task.
    static let vodFailureCode = 10001
    /// `ErrCode` of a canceled task.
    static let vodCanceledCode = 10002
    /// What VOD prints for a time that has not come yet.
    private static let vodNoTime = "0000-00-00T00:00:00Z"

    func vodCreate(_ request: MockRequest, _ body: JSONValue) -> MockResponse {
        let model = tencentParameter(body, "ModelName") ?? "Hunyuan"
        let id = MockIdentifiers.make(for: .tencentVOD)
        switch state.submit(
            style: .tencentVOD, id: id, model: model, requestBody: request.body,
            idempotencyKey: request.idempotencyKey)
        {
        case .fault(let fault): return fault.response
        case .created(let job, _): return tencentResponse(["TaskId": .string(job.id)])
        }
    }

    func vodDescribe(_ body: JSONValue) -> MockResponse {
        guard let id = tencentParameter(body, "TaskId") else { return tencentMissing("TaskId") }
        switch state.poll(id: id, style: .tencentVOD) {
        case .unknownJob:
            return vodNotFound(id)
        case .fault(let fault):
            return fault.response
        case .found(let job, let phase):
            let submitted = job.requestJSON ?? [:]
            if let asked = tencentParameter(body, "SubAppId"),
                let owner = tencentParameter(submitted, "SubAppId"),
                asked != owner
            {
                return vodNotFound(id)
            }
            return tencentResponse(vodTaskDetail(job, phase, submitted))
        }
    }

    private func vodTaskDetail(_ job: MockJob, _ phase: MockJobPhase, _ submitted: JSONValue)
        -> OrderedDictionary<String, JSONValue>
    {
        let status: String
        var errorCode = 0
        var message = ""
        var progress = 100
        switch phase {
        case .running(_, let share):
            status = phase.runningWord(["WAITING", "PROCESSING"])
            progress = Int(min(share, 0.99) * 100)
        case .succeeded:
            status = "FINISH"
        case .failed(let text):
            (status, errorCode, message) = ("FINISH", Self.vodFailureCode, text)
        case .canceled:
            (status, errorCode, message) = ("FINISH", Self.vodCanceledCode, "The task was canceled.")
        case .unknown(let value):
            (status, progress) = (value, 0)
        }
        let task: JSONValue = [
            "TaskId": .string(job.id), "Status": .string(status), "ErrCode": .integer(Int64(errorCode)),
            "Message": .string(message), "Progress": .integer(Int64(progress)),
            "Input": [
                "ModelName": .string(job.model), "ModelVersion": submitted["ModelVersion"] ?? "",
                "Prompt": submitted["Prompt"] ?? "", "FileInfos": [],
            ],
            "Output": ["FileInfos": phase == .succeeded ? vodFileInfos(job, submitted) : []],
            "SessionId": submitted["SessionId"] ?? "", "SessionContext": submitted["SessionContext"] ?? "",
        ]
        return [
            "TaskType": "AigcImageTask", "Status": .string(status),
            "CreateTime": .string(job.createdAt.tencentTimestamp),
            "BeginProcessTime": .string(
                status == "WAITING" ? Self.vodNoTime : job.createdAt.tencentTimestamp),
            "FinishTime": .string(phase.isTerminal ? Date().tencentTimestamp : Self.vodNoTime),
            "AigcImageTask": task,
        ]
    }

    /// One `AigcImageTaskOutputFileInfo` per output; `FileId` is set for `OutputConfig.StorageMode: Permanent`.
    private func vodFileInfos(_ job: MockJob, _ submitted: JSONValue) -> JSONValue {
        let storage = submitted["OutputConfig"]?["StorageMode"]?.stringValue ?? "Temporary"
        let expiry = Date().addingTimeInterval(12 * 3600).tencentTimestamp
        return .array(
            zip(outputURLs(job), job.outputFileNames).enumerated().map { index, file in
                [
                    "StorageMode": .string(storage), "MediaName": .string(file.1), "ClassId": 0,
                    "ExpireTime": .string(storage == "Permanent" ? "" : expiry),
                    "FileType": .string(job.script.output.kind.fileExtension), "FileUrl": .string(file.0),
                    "FileId": .string(
                        storage == "Permanent" ? "52858907\(String(format: "%011d", index + 1))" : ""),
                ]
            })
    }

    private func vodNotFound(_ id: String) -> MockResponse {
        tencentError("ResourceNotFound", "The task \(id) does not exist.")
    }
}

extension Date {
    /// ISO 8601 in UTC without fractions, as Tencent Cloud prints times.
    var tencentTimestamp: String {
        formatted(Date.ISO8601FormatStyle())
    }
}
