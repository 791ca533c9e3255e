<?php
// The benefits registry behind PHP's SoapServer in WSDL mode, run by `php -S 127.0.0.1:PORT registry.php`.
// Requests to /secure/... must carry a WS-Security UsernameToken (PasswordDigest or PasswordText)
// for user "gateway" with the password in REGISTRY_PASSWORD, checked here independently of Portage.
// Requests to /plain/... are plain XML over HTTP POST (no envelope), as ASMX HttpPost endpoints answer:
// the GetHousehold element in, GetHouseholdResponse out, or HTTP 404 with an <Error> document.
ini_set('soap.wsdl_cache_enabled', '0');

$raw = file_get_contents('php://input');
$contentType = $_SERVER['CONTENT_TYPE'] ?? '';
$version = stripos($contentType, 'application/soap+xml') !== false ? SOAP_1_2 : SOAP_1_1;

function authenticated(string $raw): bool {
    $document = new DOMDocument();
    if (!@$document->loadXML($raw, LIBXML_NONET)) return false;
    $xpath = new DOMXPath($document);
    $xpath->registerNamespace('wsse', 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd');
    $xpath->registerNamespace('wsu', 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd');
    $username = $xpath->evaluate('string(//wsse:UsernameToken/wsse:Username)');
    $passwordNode = $xpath->query('//wsse:UsernameToken/wsse:Password')->item(0);
    if ($username !== 'gateway' || $passwordNode === null) return false;
    $secret = getenv('REGISTRY_PASSWORD');
    $type = $passwordNode->getAttribute('Type');
    if (str_ends_with($type, '#PasswordText')) return hash_equals($secret, $passwordNode->textContent);
    $nonce = base64_decode($xpath->evaluate('string(//wsse:UsernameToken/wsse:Nonce)'), true);
    $created = $xpath->evaluate('string(//wsse:UsernameToken/wsu:Created)');
    if ($nonce === false || strlen($nonce) < 8 || $created === '') return false;
    $expected = base64_encode(sha1($nonce . $created . $secret, true));
    return hash_equals($expected, $passwordNode->textContent);
}

class Registry {
    public static function household(int $id) {
        $households = [
            10000001 => [
                'ClientId' => 10000001,
                'Name' => ['Given' => 'Marie-Claude', 'Family' => 'Tremblay'],
                'Address' => ['Line' => ['1200, rue Sainte-Catherine Ouest', 'App. 4'], 'City' => 'Montréal', 'Province' => 'QC', 'PostalCode' => 'H3B 1K9'],
                'Member' => [
                    ['Name' => ['Given' => 'Léa', 'Family' => 'Tremblay'], 'BirthDate' => '2012-09-03', 'Relation' => 'CHILD'],
                    ['Name' => ['Given' => 'Samuel', 'Family' => 'Tremblay'], 'BirthDate' => '2015-01-17', 'Relation' => 'CHILD'],
                ],
                'MonthlyBenefit' => '1284.17',
                'LastReviewed' => '2026-10-01T09:30:00Z',
            ],
            10000002 => [
                'ClientId' => 10000002,
                'Name' => ['Given' => 'John', 'Family' => 'Okafor'],
                'Address' => ['Line' => ['77 King Street West'], 'City' => 'Toronto', 'Province' => 'ON', 'PostalCode' => 'M5K 1A2'],
                'Member' => [
                    ['Name' => ['Given' => 'Ada', 'Family' => 'Okafor'], 'BirthDate' => '1981-03-22', 'Relation' => 'SPOUSE'],
                ],
                'MonthlyBenefit' => '912.50',
            ],
            10000003 => [
                'ClientId' => 10000003,
                'Name' => ['Given' => 'Aiyana', 'Family' => 'Cardinal'],
                'Address' => ['Line' => ['3 Main Street'], 'City' => 'Thompson', 'Province' => 'MB', 'PostalCode' => 'R8N 0M2'],
                'MonthlyBenefit' => '0.05',
            ],
        ];
        if (!isset($households[$id])) {
            throw new SoapFault('Client', 'No client with this number', null, ['ClientId' => $id], 'ClientNotFound');
        }
        return $households[$id];
    }

    public function GetHousehold($request) {
        return ['Household' => self::household((int)$request->ClientId)];
    }

    public function ListPayments($request) {
        $household = self::household((int)$request->ClientId);
        $payments = [];
        if ((int)$request->Year === 2026) {
            $months = $household['ClientId'] === 10000002 ? 1 : 3;
            for ($month = 1; $month <= $months; $month++) {
                $payments[] = ['Date' => sprintf('2026-%02d-20', $month), 'Amount' => ['_' => $household['MonthlyBenefit'], 'currency' => 'CAD']];
            }
        }
        return ['Payment' => $payments];
    }
}

class Refuser {
    public function __call($name, $arguments) {
        throw new SoapFault(
            ['http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd', 'FailedAuthentication'],
            'The security token could not be authenticated');
    }
}

if ($_SERVER['REQUEST_METHOD'] !== 'POST') {
    http_response_code(405);
    exit;
}

const REGISTRY_NS = 'urn:example:benefits:registry:2006';

function append_xml(DOMDocument $document, DOMElement $parent, string $name, $value) {
    if (is_array($value) && array_is_list($value)) {
        foreach ($value as $item) append_xml($document, $parent, $name, $item);
        return;
    }
    $element = $document->createElementNS(REGISTRY_NS, $name);
    $parent->appendChild($element);
    if (is_array($value)) {
        foreach ($value as $key => $member) append_xml($document, $element, $key, $member);
    } else {
        $element->appendChild($document->createTextNode((string)$value));
    }
}

if (str_starts_with($_SERVER['REQUEST_URI'], '/plain')) {
    $request = new DOMDocument();
    if (!@$request->loadXML($raw, LIBXML_NONET) || $request->documentElement->localName !== 'GetHousehold'
        || !str_starts_with($_SERVER['CONTENT_TYPE'] ?? '', 'application/xml')) {
        http_response_code(400);
        header('Content-Type: text/plain');
        echo 'expected a GetHousehold document as application/xml';
        exit;
    }
    $id = (int)$request->getElementsByTagNameNS(REGISTRY_NS, 'ClientId')->item(0)?->textContent;
    $answer = new DOMDocument('1.0', 'UTF-8');
    header('Content-Type: application/xml; charset=utf-8');
    try {
        $household = Registry::household($id);
    } catch (SoapFault $fault) {
        http_response_code(404);
        $error = $answer->createElement('Error');
        $answer->appendChild($error);
        $error->appendChild($answer->createElement('Code', 'CLIENT_NOT_FOUND'));
        $error->appendChild($answer->createElement('Message', 'No client with this number'));
        echo $answer->saveXML();
        exit;
    }
    $root = $answer->createElementNS(REGISTRY_NS, 'GetHouseholdResponse');
    $answer->appendChild($root);
    append_xml($answer, $root, 'Household', $household);
    echo $answer->saveXML();
    exit;
}
$server = new SoapServer(__DIR__ . '/BenefitsRegistry.wsdl', ['soap_version' => $version, 'cache_wsdl' => WSDL_CACHE_NONE]);
if (str_starts_with($_SERVER['REQUEST_URI'], '/secure') && !authenticated($raw)) {
    // WS-Security's own fault: code wsse:FailedAuthentication (SOAP Message Security 1.1, section 12).
    $server->setObject(new Refuser());
} else {
    $server->setClass('Registry');
}
$server->handle($raw);
