import OrderedCollections

extension Redactor {
    /// The redactor of one invocation of a method: the values of every secret the method
    /// references, and the Basic `Authorization` credentials built from them (base64 of
    /// `user:password`, whichever half is the secret).
    /// - Parameters:
    ///   - plan: the method's compiled config.
    ///   - secrets: the secret store.
    ///   - input: the tool input, for a Basic user name taken from it.
    public init(method plan: MethodPlan, secrets: Secrets, input: JSONValue = .object([:])) {
        var derived: [String] = []
        if case .basic(let username, let password)? = plan.auth {
            let context = TemplateContext(input: input, secrets: secrets)
            if let user = try? username.render(context, encoding: .header),
                let word = try? password.render(context, encoding: .header)
            {
                derived.append(SecretForms.encode(Array("\(user):\(word)".utf8)))
            }
        }
        self.init(secrets: secrets.values(named: plan.secretNames), derived: derived)
    }
}
