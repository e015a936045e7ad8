"""The kernel every Hearth app uses: agencies, sign-in, access policy, audit, encryption.

It imports no domain app; domain apps depend on it.
"""
