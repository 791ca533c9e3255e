000100*----------------------------------------------------------------*
000200* CLIREQ - CLIENT MASTER INQUIRY REQUEST (COMMAREA, EBCDIC CP037)
000300*   FUNCTION: INQ = CLIENT DETAILS, DEP = DEPENDANTS,
000400*             BAL = BENEFIT BALANCE
000500*----------------------------------------------------------------*
000600 01  CLIREQ.
000700     05  CLIREQ-FUNCTION         PIC X(3).
000800         88  CLIREQ-INQUIRY      VALUE 'INQ'.
000900         88  CLIREQ-DEPENDANTS   VALUE 'DEP'.
001000         88  CLIREQ-BALANCE      VALUE 'BAL'.
001100     05  CLIREQ-CLIENT-ID        PIC 9(8).
001200     05  CLIREQ-CHANNEL          PIC X(4).
001300     05  FILLER                  PIC X(5).
