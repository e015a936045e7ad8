"""The staff pages: sign-in and the second factor, the staff home, members, the DPO's audit
search and break-glass reviews. Pages only: the rules they apply live in the kernel
(``hearth.platform``), which does not know this app."""
