@english
Feature: English step phrasing is accepted too
  The catalogue is written in Finnish as Kela's test cases are; the same steps read in English.

  Background:
    Given the system "liittyva2-atj" acts for controller "Testilä"
    And the simulator clock is "2022-06-01T12:00:00Z"
    And the test person is "aikuinen"

  @SHA-EN-001
  Scenario: Store a phase II document and read the kooste
    Given the client has a clienthood and a case
    When the system stores a phase II document
    Then the archive accepts the message
    When the system queries the kooste
    Then the kooste holds 1 clienthood, 1 case and 1 document

  @SHA-EN-002
  Scenario: A missing service unit is rejected
    Given the client has a clienthood and a case
    When the system stores a phase II document with defect "puuttuva-palveluyksikko"
    Then the archive rejects the message with code "SHA-R101"

  @SHA-EN-003
  Scenario: An expired certificate is refused
    When the system sends a message with certificate "expired"
    Then the connection is refused in the TLS handshake
