      *---------------------------------------------------------------*
      * PAYBATCH - NIGHTLY PAYMENT BATCH                              *
      *                                                               *
      * READS A PAYMENT REQUEST FILE (PAYIN) AND WRITES A PAYMENT     *
      * RESULT FILE (PAYOUT). BOTH ARE RECORD-SEQUENTIAL FILES OF     *
      * 80-BYTE RECORDS WITH PACKED (COMP-3) AMOUNTS:                 *
      *   PAYIN:  'H' HEADER, 'P' PAYMENTS, 'T' TRAILER              *
      *   PAYOUT: 'H' HEADER, 'R' RESULTS,  'T' TRAILER              *
      * THE REQUEST TRAILER'S COUNT AND TOTAL ARE CHECKED FIRST: A    *
      * FILE THAT DOES NOT BALANCE IS REFUSED (RETURN CODE 8, NO      *
      * OUTPUT). A PAYMENT IS REJECTED WHEN ITS AMOUNT IS NOT         *
      * POSITIVE ('AMT ') OR ITS ACCOUNT STARTS WITH 0000 ('ACCT').   *
      * FILE NAMES COME FROM DD_PAYIN AND DD_PAYOUT.                  *
      *---------------------------------------------------------------*
       IDENTIFICATION DIVISION.
       PROGRAM-ID. PAYBATCH.

       ENVIRONMENT DIVISION.
       INPUT-OUTPUT SECTION.
       FILE-CONTROL.
           SELECT PAYIN ASSIGN TO 'PAYIN'
               ORGANIZATION IS SEQUENTIAL
               FILE STATUS IS WS-IN-STATUS.
           SELECT PAYOUT ASSIGN TO 'PAYOUT'
               ORGANIZATION IS SEQUENTIAL
               FILE STATUS IS WS-OUT-STATUS.

       DATA DIVISION.
       FILE SECTION.
       FD  PAYIN RECORD CONTAINS 80 CHARACTERS.
       01  IN-HEADER.
           05  IH-TYPE         PIC X.
           05  IH-BATCH-ID     PIC X(16).
           05  IH-CREATED      PIC 9(8).
           05  FILLER          PIC X(55).
       01  IN-PAYMENT.
           05  IP-TYPE         PIC X.
           05  IP-PAYMENT-ID   PIC X(12).
           05  IP-ACCOUNT      PIC X(12).
           05  IP-NAME         PIC X(30).
           05  IP-AMOUNT       PIC S9(9)V99 COMP-3.
           05  IP-CURRENCY     PIC X(3).
           05  FILLER          PIC X(16).
       01  IN-TRAILER.
           05  IT-TYPE         PIC X.
           05  IT-COUNT        PIC 9(6).
           05  IT-TOTAL        PIC S9(11)V99 COMP-3.
           05  FILLER          PIC X(66).

       FD  PAYOUT RECORD CONTAINS 80 CHARACTERS.
       01  OUT-HEADER.
           05  OH-TYPE         PIC X.
           05  OH-BATCH-ID     PIC X(16).
           05  OH-PROCESSED    PIC 9(8).
           05  FILLER          PIC X(55).
       01  OUT-RESULT.
           05  OR-TYPE         PIC X.
           05  OR-PAYMENT-ID   PIC X(12).
           05  OR-STATUS       PIC X(8).
           05  OR-REASON       PIC X(4).
           05  OR-AMOUNT       PIC S9(9)V99 COMP-3.
           05  OR-REFERENCE    PIC X(16).
           05  FILLER          PIC X(33).
       01  OUT-TRAILER.
           05  OT-TYPE         PIC X.
           05  OT-COUNT        PIC 9(6).
           05  OT-PAID         PIC 9(6).
           05  OT-TOTAL        PIC S9(11)V99 COMP-3.
           05  FILLER          PIC X(60).

       WORKING-STORAGE SECTION.
       01  WS-IN-STATUS        PIC XX.
       01  WS-OUT-STATUS       PIC XX.
       01  WS-EOF              PIC X VALUE 'N'.
       01  WS-BATCH-ID         PIC X(16) VALUE SPACES.
       01  WS-COUNT            PIC 9(6) VALUE 0.
       01  WS-TOTAL            PIC S9(11)V99 COMP-3 VALUE 0.
       01  WS-TRAILER-COUNT    PIC 9(6) VALUE 0.
       01  WS-TRAILER-TOTAL    PIC S9(11)V99 COMP-3 VALUE 0.
       01  WS-SEEN-TRAILER     PIC X VALUE 'N'.
       01  WS-PAID             PIC 9(6) VALUE 0.
       01  WS-PAID-TOTAL       PIC S9(11)V99 COMP-3 VALUE 0.
       01  WS-RESULT-COUNT     PIC 9(6) VALUE 0.
       01  WS-TODAY            PIC 9(8).

       PROCEDURE DIVISION.
       MAIN-PARA.
           MOVE FUNCTION CURRENT-DATE(1:8) TO WS-TODAY
           PERFORM CHECK-BALANCE
           IF WS-SEEN-TRAILER NOT = 'Y'
              OR WS-COUNT NOT = WS-TRAILER-COUNT
              OR WS-TOTAL NOT = WS-TRAILER-TOTAL
               DISPLAY 'PAYBATCH: REQUEST FILE DOES NOT BALANCE: COUNT '
                   WS-COUNT ' TRAILER ' WS-TRAILER-COUNT
               MOVE 8 TO RETURN-CODE
               STOP RUN
           END-IF
           PERFORM WRITE-RESULTS
           MOVE 0 TO RETURN-CODE
           STOP RUN.

       CHECK-BALANCE.
           OPEN INPUT PAYIN
           IF WS-IN-STATUS NOT = '00'
               DISPLAY 'PAYBATCH: CANNOT OPEN PAYIN ' WS-IN-STATUS
               MOVE 12 TO RETURN-CODE
               STOP RUN
           END-IF
           MOVE 'N' TO WS-EOF
           PERFORM UNTIL WS-EOF = 'Y'
               READ PAYIN
                   AT END MOVE 'Y' TO WS-EOF
                   NOT AT END
                       EVALUATE IP-TYPE
                           WHEN 'H'
                               MOVE IH-BATCH-ID TO WS-BATCH-ID
                           WHEN 'P'
                               ADD 1 TO WS-COUNT
                               ADD IP-AMOUNT TO WS-TOTAL
                           WHEN 'T'
                               MOVE 'Y' TO WS-SEEN-TRAILER
                               MOVE IT-COUNT TO WS-TRAILER-COUNT
                               MOVE IT-TOTAL TO WS-TRAILER-TOTAL
                       END-EVALUATE
               END-READ
           END-PERFORM
           CLOSE PAYIN.

       WRITE-RESULTS.
           OPEN INPUT PAYIN
           OPEN OUTPUT PAYOUT
           MOVE SPACES TO OUT-HEADER
           MOVE 'H' TO OH-TYPE
           MOVE WS-BATCH-ID TO OH-BATCH-ID
           MOVE WS-TODAY TO OH-PROCESSED
           WRITE OUT-HEADER
           MOVE 'N' TO WS-EOF
           PERFORM UNTIL WS-EOF = 'Y'
               READ PAYIN
                   AT END MOVE 'Y' TO WS-EOF
                   NOT AT END
                       IF IP-TYPE = 'P'
                           PERFORM WRITE-ONE-RESULT
                       END-IF
               END-READ
           END-PERFORM
           MOVE SPACES TO OUT-TRAILER
           MOVE 'T' TO OT-TYPE
           MOVE WS-RESULT-COUNT TO OT-COUNT
           MOVE WS-PAID TO OT-PAID
           MOVE WS-PAID-TOTAL TO OT-TOTAL
           WRITE OUT-TRAILER
           CLOSE PAYIN
           CLOSE PAYOUT.

       WRITE-ONE-RESULT.
           ADD 1 TO WS-RESULT-COUNT
           MOVE SPACES TO OUT-RESULT
           MOVE 'R' TO OR-TYPE
           MOVE IP-PAYMENT-ID TO OR-PAYMENT-ID
           MOVE IP-AMOUNT TO OR-AMOUNT
           EVALUATE TRUE
               WHEN IP-AMOUNT NOT > 0
                   MOVE 'REJECTED' TO OR-STATUS
                   MOVE 'AMT ' TO OR-REASON
               WHEN IP-ACCOUNT(1:4) = '0000'
                   MOVE 'REJECTED' TO OR-STATUS
                   MOVE 'ACCT' TO OR-REASON
               WHEN OTHER
                   MOVE 'PAID' TO OR-STATUS
                   STRING 'EFT' WS-BATCH-ID(4:13) DELIMITED BY SIZE
                       INTO OR-REFERENCE
                   ADD 1 TO WS-PAID
                   ADD IP-AMOUNT TO WS-PAID-TOTAL
           END-EVALUATE
           WRITE OUT-RESULT.
