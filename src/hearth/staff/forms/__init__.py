"""The staff pages' forms, one module a journey: sign-in, members, the DPO's pages."""
