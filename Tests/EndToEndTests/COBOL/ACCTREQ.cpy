000100*---------------------------------------------------------------*
000200* ACCTREQ  - ACCOUNT INQUIRY REQUEST RECORD (14 BYTES)          *
000300*   ACCTREQ-FUNCTION   'INQ ' = INQUIRY                         *
000400*   ACCTREQ-ACCOUNT-ID ACCOUNT IDENTIFIER, SPACE PADDED         *
000500*---------------------------------------------------------------*
000600 01  ACCTREQ.
000700     05  ACCTREQ-FUNCTION         PIC X(4).
000800     05  ACCTREQ-ACCOUNT-ID       PIC X(10).
