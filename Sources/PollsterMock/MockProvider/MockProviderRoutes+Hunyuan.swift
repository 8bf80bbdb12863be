import OrderedCollections
import PollsterCore

/// Tencent Hunyuan image (`/tencent/hunyuan/`, version 2023-09-01): `SubmitHunyuanImageJob` answers
/// `Response.JobId`; `QueryHunyuanImageJob {"JobId"}` answers `JobStatusCode` as a string — "1" waiting,
/// "2" running, "4" failed (`JobErrorCode`, `JobErrorMsg`), "5" done (`ResultImage`).
extension MockProviderRoutes {
    func hunyuanSubmit(_ request: MockRequest) -> MockResponse {
        let id = MockIdentifiers.make(for: .tencentHunyuan)
        switch state.submit(
            style: .tencentHunyuan, id: id, model: "SubmitHunyuanImageJob", requestBody: request.body,
            idempotencyKey: request.idempotencyKey)
        {
        case .fault(let fault): return fault.response
        case .created(let job, _): return tencentResponse(["JobId": .string(job.id)])
        }
    }

    func hunyuanQuery(_ body: JSONValue) -> MockResponse {
        guard let id = tencentParameter(body, "JobId") else { return tencentMissing("JobId") }
        switch state.poll(id: id, style: .tencentHunyuan) {
        case .unknownJob: return tencentError("FailedOperation.JobNotExist", "The job \(id) does not exist.")
        case .fault(let fault): return fault.response
        case .found(let job, let phase): return tencentResponse(hunyuanJob(job, phase))
        }
    }

    private func hunyuanJob(_ job: MockJob, _ phase: MockJobPhase) -> OrderedDictionary<String, JSONValue> {
        var fields: OrderedDictionary<String, JSONValue> = [
            "JobErrorCode": "", "JobErrorMsg": "", "ResultImage": [], "ResultDetails": [],
            "RevisedPrompt": [],
        ]
        let status: (code: String, message: String)
        switch phase {
        case .running:
            let code = phase.runningWord(["1", "2"])
            status = (code, code == "1" ? "排队中" : "处理中")
        case .succeeded:
            status = ("5", "处理完成")
            let urls = outputURLs(job)
            let prompt = JSONValue.string(job.requestJSON?["Prompt"]?.stringValue ?? "")
            fields["ResultImage"] = .array(urls.map(JSONValue.string))
            fields["ResultDetails"] = .array(urls.map { _ in "Success" })
            fields["RevisedPrompt"] = .array(urls.map { _ in prompt })
        case .failed(let message):
            status = ("4", "处理失败")
            fields["JobErrorCode"] = "FailedOperation.GenerateImageFailed"
            fields["JobErrorMsg"] = .string(message)
        case .canceled:
            status = ("4", "处理失败")
            fields["JobErrorCode"] = "FailedOperation.JobCanceled"
            fields["JobErrorMsg"] = "The job was canceled."
        case .unknown(let value):
            status = (value, value)
        }
        fields["JobStatusCode"] = .string(status.code)
        fields["JobStatusMsg"] = .string(status.message)
        return fields
    }
}
